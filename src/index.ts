/**
 * Tessera's public entry point for embedding in another Koa app: see
 * `createTessera` and the README ("Embedding in your Koa app").
 */
export { createTessera, API_PREFIX, type Tessera, type TesseraDependencies } from './tessera.ts';
export { createApp } from './app.ts';
export type { AuthMiddleware } from './auth/middleware.ts';
export type { AuthSession, AuthToken, AuthUser, TesseraContext, TesseraState } from './auth/state.ts';
export { parseConfig, loadConfig, type Config } from './config/config.ts';
export { createDb, type Db } from './db/connection.ts';
export { migrateToLatest } from './db/migrate.ts';
export { createPasswordHasher, type Argon2Parameters } from './crypto/passwords.ts';
export { systemClock, type Clock } from './clock.ts';
export { AppError } from './errors/app-error.ts';
export { pruneExpired } from './maintenance/prune.ts';
