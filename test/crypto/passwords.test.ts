import test from 'ava';
import {
  createPasswordHasher,
  OWASP_ARGON2_PARAMETERS,
} from '../../src/crypto/passwords.ts';
import { TEST_ARGON2 } from '../helpers/app.ts';

test('the default is argon2id with at least OWASP parameters (m=19 MiB, t=2, p=1)', async (t) => {
  t.true(OWASP_ARGON2_PARAMETERS.memoryCost >= 19 * 1024);
  t.true(OWASP_ARGON2_PARAMETERS.timeCost >= 2);
  const hash = await createPasswordHasher().hash('a password for the test');
  t.regex(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
});

test('verify accepts the password and refuses others', async (t) => {
  const hasher = createPasswordHasher(TEST_ARGON2);
  const hash = await hasher.hash('first password');
  t.true(await hasher.verify(hash, 'first password'));
  t.false(await hasher.verify(hash, 'second password'));
});

test('an unknown user (no stored hash) is refused after a real argon2 verify', async (t) => {
  const hasher = createPasswordHasher(TEST_ARGON2);
  t.false(await hasher.verify(undefined, 'anything at all'));
});

test('passwords compare after NFKC normalisation', async (t) => {
  const hasher = createPasswordHasher(TEST_ARGON2);
  const composed = 'caf\u00e9 au lait';
  const decomposed = 'cafe\u0301 au lait';
  const hash = await hasher.hash(composed);
  t.true(await hasher.verify(hash, decomposed));
  t.true(await hasher.verify(await hasher.hash('ＰＡＳＳ１２３４５'), 'PASS12345'));
});

test('needsRehash is true for hashes made with other parameters', async (t) => {
  const cheap = createPasswordHasher(TEST_ARGON2);
  const stronger = createPasswordHasher({ ...TEST_ARGON2, timeCost: 2 });
  const hash = await cheap.hash('some password');
  t.false(cheap.needsRehash(hash));
  t.true(stronger.needsRehash(hash));
});
