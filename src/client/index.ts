/**
 * `tessera/client`: a typed client for Tessera's HTTP API, for Node ≥ 20 and
 * browsers, with no dependency beyond `fetch`. See the README ("Use it from a
 * client") and `TesseraClient`.
 */
export { TesseraClient, type TesseraClientOptions } from './client.ts';
export type { CallOptions } from './caller.ts';
export {
  TesseraError,
  TesseraNetworkError,
  TesseraTimeoutError,
  isTransient,
  type ClientErrorCode,
  type ErrorDetail,
} from './errors.ts';
export type { AuthMode, SessionEndReason } from './refresh-coordinator.ts';
export { localStorageTokenStore, memoryTokenStore, type StoredSession, type TokenStore } from './token-store.ts';
export { basicAuthorization } from './api-oauth.ts';
export type * from './types.ts';
