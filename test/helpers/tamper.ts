/**
 * The same secret with its last character replaced by a different one.
 * Appending a fixed letter is not enough: one secret in 64 already ends in it,
 * and then the "wrong" secret is the real one (a CI run failed on exactly that).
 */
export function withLastCharacterChanged(secret: string): string {
  const replacement = secret.endsWith('A') ? 'B' : 'A';
  return secret.slice(0, -1) + replacement;
}
