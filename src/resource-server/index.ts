/**
 * Tessera's resource-server client (`tessera/resource-server`): verify
 * Tessera tokens in another process through RFC 7662 introspection, with a
 * bounded cache and, given Tessera's Redis, revocations within 100 ms.
 */
export { createVerifier, holdsAbility, type ResourceServerOptions, type Verified, type Verifier } from './verifier.ts';
export { ResourceServerError } from './errors.ts';
export { koaAuth, type ResourceServerState } from './koa.ts';
