import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('seals so the stored form does not contain the secret, and opens it again', () => {
    const secret = 'partner-signing-secret-0123456789abcdef';
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(box.seal(secret)).not.toBe(sealed); // a fresh nonce every time
    expect(box.open(sealed)).toBe(secret);
  });

  it('refuses a tampered value and a value sealed under another key', () => {
    const sealed = box.seal('a-secret-worth-keeping-0123456789');
    const raw = Buffer.from(sealed.slice('enc:v1:'.length), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(`enc:v1:${raw.toString('base64url')}`)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open('enc:v1:AAAA')).toThrow(/truncated/);
  });

  it('passes a value stored before sealing existed through unchanged', () => {
    expect(box.open('legacy-clear-secret')).toBe('legacy-clear-secret');
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(TypeError);
  });
});
