import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import pLimit from 'p-limit';

/**
 * Password hashing with argon2id. argon2 runs on libuv's thread pool, so a
 * login never blocks the event loop while it hashes.
 */

export interface Argon2Parameters {
  /** Memory cost in KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet minimum for argon2id: m=19 MiB, t=2, p=1. */
export const OWASP_ARGON2_PARAMETERS: Argon2Parameters = Object.freeze({
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
});

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against `storedHash`. With no stored hash (unknown
   * user) it verifies against a dummy hash and returns false, so an unknown
   * username costs the same time as a wrong password and timing does not
   * tell a guesser which usernames exist.
   */
  verify(storedHash: string | undefined, password: string): Promise<boolean>;
  /** True when `storedHash` was made with other parameters and should be replaced. */
  needsRehash(storedHash: string): boolean;
  /** Computations waiting for a slot and running now (the metrics read it at scrape time). */
  readonly queue?: () => { readonly pending: number; readonly active: number };
}

/**
 * Passwords are compared after Unicode NFKC normalisation, so the same
 * password typed on two keyboards (composed vs decomposed accents, full-width
 * digits) hashes the same (NIST SP 800-63B §5.1.1.2).
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * How many argon2 computations run at once (PASSWORD_HASH_CONCURRENCY). Each
 * takes a core and 19 MiB for tens of milliseconds; leaving one core to the
 * event loop keeps every other request fast while logins queue, and bounds
 * the memory a login flood can take.
 */
const DEFAULT_HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);

export function createPasswordHasher(
  parameters: Argon2Parameters = OWASP_ARGON2_PARAMETERS,
  concurrency: number = DEFAULT_HASH_CONCURRENCY,
): PasswordHasher {
  const options = { type: argon2.argon2id, ...parameters } as const;
  const limit = pLimit(concurrency);
  // Made once, lazily: the first unknown-user login pays for it, start-up does not.
  let dummyHash: Promise<string> | undefined;
  const verify = (hash: string, password: string) =>
    limit(() => argon2.verify(hash, normalizePassword(password)));

  return {
    hash: (password) => limit(() => argon2.hash(normalizePassword(password), options)),

    async verify(storedHash, password) {
      if (storedHash === undefined) {
        dummyHash ??= limit(() => argon2.hash('tessera dummy password', options));
        await verify(await dummyHash, password);
        return false;
      }
      return verify(storedHash, password);
    },

    needsRehash: (storedHash) => argon2.needsRehash(storedHash, options),

    queue: () => ({ pending: limit.pendingCount, active: limit.activeCount }),
  };
}
