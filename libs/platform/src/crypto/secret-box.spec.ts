import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('seals so the stored form does not contain the secret, and opens it again', () => {
    const secret = 'partner-signing-secret-0123456789abcdef';
    const sealed = box.seal(secret, 'subscription-a');
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(box.seal(secret, 'subscription-a')).not.toBe(sealed); // a fresh nonce every time
    expect(box.open(sealed, 'subscription-a')).toBe(secret);
  });

  it('refuses a tampered value, a value sealed under another key, and one copied to another owner', () => {
    const sealed = box.seal('a-secret-worth-keeping-0123456789', 'subscription-a');
    const raw = Buffer.from(sealed.slice('enc:v1:'.length), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(`enc:v1:${raw.toString('base64url')}`, 'subscription-a')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'subscription-a')).toThrow();
    expect(() => box.open(sealed, 'subscription-b')).toThrow();
    expect(() => box.open('enc:v1:AAAA', 'subscription-a')).toThrow(/truncated/);
  });

  it('passes a value stored before sealing existed through unchanged', () => {
    expect(box.open('legacy-clear-secret', 'subscription-a')).toBe('legacy-clear-secret');
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(TypeError);
  });
});
