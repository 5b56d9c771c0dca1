import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SsoSeal } from './seal.ts';
import { changedAt } from '../../../../test/support/sso-setup.ts';

const NOW = 1_700_000_000_000;
const seal = new SsoSeal('a shared secret of enough length');

test('sso seal: opens what it sealed, for its purpose, until it expires', () => {
  const text = seal.seal('handoff', { id: 'c-1', sub: 'u-1' }, NOW + 60_000);
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(seal.open('handoff', text, NOW), { kind: 'ok', payload: { id: 'c-1', sub: 'u-1', exp: NOW + 60_000 } });
  assert.deepEqual(seal.open('login', text, NOW), { kind: 'invalid' });
  assert.deepEqual(new SsoSeal('another secret of enough length').open('handoff', text, NOW), { kind: 'invalid' });
  assert.deepEqual(seal.open('handoff', text, NOW + 60_000), { kind: 'expired' });
});

test('sso seal: any one changed character, in the IV, the body or the tag, makes it invalid', () => {
  const text = seal.seal('login', { state: 's', nonce: 'n', verifier: 'v' }, NOW + 60_000);
  for (let at = 0; at < text.length; at++) {
    assert.deepEqual(seal.open('login', changedAt(text, at), NOW), { kind: 'invalid' }, `character ${at} of ${text.length}`);
  }
  assert.deepEqual(seal.open('login', text.slice(0, -1), NOW), { kind: 'invalid' });
  assert.deepEqual(seal.open('login', `${text}A`, NOW), { kind: 'invalid' });
});

test("sso seal: another spelling of the same bytes (the last character's spare bits set) is refused", () => {
  // Payloads of three lengths: one of them seals to a byte count that is not a multiple of three,
  // whose base64url ends in a character with spare bits.
  const texts = ['x', 'xx', 'xxx'].map((a) => seal.seal('handoff', { a }, NOW + 60_000));
  const spare = texts.filter((t) => t.length % 4 !== 0);
  assert.ok(spare.length > 0);
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const text of spare) {
    const last = ALPHABET.indexOf(text.at(-1) as string);
    const other = `${text.slice(0, -1)}${ALPHABET[last | 1]}`;
    assert.notEqual(other, text);
    assert.deepEqual(Buffer.from(other, 'base64url'), Buffer.from(text, 'base64url'));
    assert.equal(seal.open('handoff', text, NOW).kind, 'ok');
    assert.deepEqual(seal.open('handoff', other, NOW), { kind: 'invalid' });
  }
});

test('sso seal: too long, padded or outside base64url is invalid without decoding', () => {
  const text = seal.seal('handoff', { id: 'c' }, NOW + 60_000);
  for (const bad of [`${text}=`, `${text.slice(0, 10)}+${text.slice(11)}`, ' '.repeat(10), '', 'A'.repeat(4097)]) {
    assert.deepEqual(seal.open('handoff', bad, NOW), { kind: 'invalid' });
  }
});
