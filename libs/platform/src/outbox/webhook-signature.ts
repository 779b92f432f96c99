import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Signature scheme version, the prefix of each signature in `Webhook-Signature`. */
const SCHEME = 'v1';
const TIMESTAMP = /^\d{1,15}$/;

/** A new random signing secret for a subscription (shown to its owner once, at registration). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmacHex(secret: string, timestamp: number | string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The `Webhook-Signature` header value for a body sent at `timestamp` (unix seconds):
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.
 */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `${SCHEME}=${hmacHex(secret, timestamp, body)}`;
}

/**
 * What a receiver does with a delivery: true when one of the signatures in `signatureHeader`
 * (space-separated, for secret rotation) is the HMAC of the raw body at `timestampHeader`, and that
 * timestamp is within `toleranceSeconds` of `now` either way (an old capture cannot be replayed).
 * Verify the raw bytes received, before parsing the JSON.
 */
export function verifyWebhookSignature(
  secret: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  body: string | Buffer,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  if (!timestampHeader || !signatureHeader || !TIMESTAMP.test(timestampHeader)) return false;
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestampHeader)) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestampHeader, body), 'hex');
  let ok = false;
  for (const part of signatureHeader.split(/[\s,]+/)) {
    const [scheme, hex] = part.split('=', 2);
    if (scheme !== SCHEME || hex === undefined || !/^[0-9a-f]{64}$/i.test(hex)) continue;
    // No early exit: every candidate is compared in constant time.
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) ok = true;
  }
  return ok;
}
