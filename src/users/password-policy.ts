import { dictionary } from '@zxcvbn-ts/language-common';
import { normalizePassword } from '../crypto/passwords.ts';

/**
 * The ~49,000 most common passwords from breach corpora, most common first,
 * as shipped by zxcvbn-ts (MIT). Compared ignoring case: "Password1" is as
 * guessable as "password1".
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * NIST SP 800-63B: length limits and a blocklist of common passwords, no
 * composition rules; any character is allowed (spaces, emoji). Length counts characters (code points) of the
 * NFKC form, which is what gets hashed. Returns why the password is refused,
 * or undefined when it is acceptable.
 */
export function passwordProblem(
  password: string,
  account: { username: string; email?: string | null },
): string | undefined {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lowered = normalized.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return 'is one of the most commonly used passwords';
  if (lowered === account.username.toLowerCase()) return 'must not be the same as the username';
  if (account.email && lowered === account.email.toLowerCase()) {
    return 'must not be the same as the email address';
  }
  return undefined;
}
