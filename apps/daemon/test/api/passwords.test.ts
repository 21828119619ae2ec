import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, hashPassword, verifyPassword } from '../../src/api/auth/passwords.js';

describe('admin passwords', () => {
  it('hash to scrypt$N$r$p$salt$hash with a fresh salt each time, and verify', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    assert.match(first, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(first, second);
    assert.equal(await verifyPassword('correct horse', first), true);
    assert.equal(await verifyPassword('correct horse', second), true);
    assert.equal(await verifyPassword('correct horsE', first), false);
    assert.equal(await verifyPassword('', first), false);
  });

  it('treat the same text in composed and decomposed Unicode as the same password', async () => {
    const hash = await hashPassword('caf\u00e9');
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
  });

  it('refuse malformed or extravagant stored hashes instead of computing them', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, hash] = good.split('$');
    for (const stored of ['', 'bcrypt$x', `scrypt$32768$8$1$${salt}`, `scrypt$1048577$8$1$${salt}$${hash}`, `scrypt$3000$8$1$${salt}$${hash}`, `scrypt$32768$64$1$${salt}$${hash}`, `scrypt$32768$8$1$${salt}$AAAA`]) {
      assert.equal(await verifyPassword('pw', stored), false, stored);
    }
  });

  it('generate 24-character URL-safe passwords, different each time', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    assert.equal(passwords.size, 50);
    for (const password of passwords) assert.match(password, /^[A-Za-z0-9_-]{24}$/);
  });
});
