import { createHmac } from 'node:crypto';
import { webhookRetryDelayMs } from './webhook-options';
import { newWebhookSecret, signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"referral.status_changed"}';
  const now = new Date('2026-11-28T12:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);

  it('signs "<timestamp>.<body>" with HMAC-SHA256, as v1=<hex>', () => {
    const hex = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    expect(signWebhook(secret, ts, body)).toBe(`v1=${hex}`);
    expect(signWebhook(secret, ts, Buffer.from(body))).toBe(`v1=${hex}`);
  });

  it('verifies its own signature, and refuses another body, secret or timestamp', () => {
    const sig = signWebhook(secret, ts, body);
    expect(verifyWebhookSignature(secret, String(ts), sig, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, String(ts), sig, Buffer.from(body), now)).toBe(true);
    expect(verifyWebhookSignature(secret, String(ts), sig, body.replace('e1', 'e2'), now)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', String(ts), sig, body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts + 1), sig, body, now)).toBe(false);
  });

  it('accepts any one of several signatures (secret rotation), and only v1', () => {
    const sig = signWebhook(secret, ts, body);
    const other = signWebhook('whsec_old', ts, body);
    expect(verifyWebhookSignature(secret, String(ts), `${other} ${sig}`, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, String(ts), sig.replace('v1=', 'v0='), body, now)).toBe(false);
  });

  it('refuses stale or future timestamps beyond the tolerance, and malformed headers', () => {
    const old = ts - 301;
    expect(verifyWebhookSignature(secret, String(old), signWebhook(secret, old, body), body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, String(old), signWebhook(secret, old, body), body, now, 400)).toBe(true);
    const future = ts + 301;
    expect(verifyWebhookSignature(secret, String(future), signWebhook(secret, future, body), body, now)).toBe(false);
    const sig = signWebhook(secret, ts, body);
    expect(verifyWebhookSignature(secret, undefined, sig, body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), undefined, body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, `${ts}.5`, sig, body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), 'v1=abc', body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), `${sig}00`, body, now)).toBe(false);
  });

  it('makes long random secrets', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});

describe('webhookRetryDelayMs', () => {
  it('doubles from 30 s after each failed attempt, capped at an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 100].map((n) => webhookRetryDelayMs(n) / 1000)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
    expect(webhookRetryDelayMs(0)).toBe(30_000);
  });
});
