import { createHash } from 'node:crypto';
import test from 'ava';
import { generateToken, hashToken, isWellFormedToken } from '../../src/crypto/tokens.ts';

const now = new Date('2026-01-01T00:00:00Z');

test('tokens carry their type prefix, a version and a fixed length', (t) => {
  const access = generateToken('access', '42', now);
  const refresh = generateToken('refresh', '42', now);
  t.regex(access, /^tsr_at_1[A-Za-z0-9_-]{49}$/);
  t.regex(refresh, /^tsr_rt_1[A-Za-z0-9_-]{49}$/);
  t.regex(generateToken('personal', '42', now), /^tsr_pat_1[A-Za-z0-9_-]{49}$/);
});

test('every token is different, even for the same user at the same instant', (t) => {
  const tokens = new Set(Array.from({ length: 1000 }, () => generateToken('access', '7', now)));
  t.is(tokens.size, 1000);
});

test('nothing about the user or the time can be read from a token', (t) => {
  const token = generateToken('access', '123456789', now);
  const body = token.slice('tsr_at_1'.length);
  t.false(body.includes('123456789'));
  t.false(Buffer.from(body, 'base64url').toString('latin1').includes('123456789'));
  t.false(Buffer.from(body, 'base64url').toString('latin1').includes(String(now.getTime())));
});

test('a generated token is well-formed for its own type only', (t) => {
  const access = generateToken('access', '1', now);
  t.true(isWellFormedToken(access, 'access'));
  t.false(isWellFormedToken(access, 'refresh'));
  t.false(isWellFormedToken(generateToken('refresh', '1', now), 'access'));
});

test('a mistyped character breaks the checksum', (t) => {
  const token = generateToken('access', '1', now);
  const position = 20;
  const swapped = token[position] === 'a' ? 'b' : 'a';
  const typo = token.slice(0, position) + swapped + token.slice(position + 1);
  t.false(isWellFormedToken(typo, 'access'));
});

test('wrong version, length or alphabet is refused', (t) => {
  const token = generateToken('access', '1', now);
  t.false(isWellFormedToken(`tsr_at_2${token.slice(8)}`, 'access'));
  t.false(isWellFormedToken(token.slice(0, -1), 'access'));
  t.false(isWellFormedToken(`${token}A`, 'access'));
  t.false(isWellFormedToken(`${token.slice(0, 20)}!${token.slice(21)}`, 'access'));
  t.false(isWellFormedToken('', 'access'));
  t.false(isWellFormedToken('tsr_at_', 'access'));
  t.false(isWellFormedToken('x'.repeat(10_000), 'access'));
});

test('the stored hash is the hex SHA-256 of the whole token, prefix included', (t) => {
  const token = generateToken('refresh', '1', now);
  t.is(hashToken(token), createHash('sha256').update(token).digest('hex'));
  t.regex(hashToken(token), /^[0-9a-f]{64}$/);
});
