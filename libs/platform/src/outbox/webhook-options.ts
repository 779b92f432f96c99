export interface WebhookOptions {
  /** A delivery is `failed` once this many sends did not get a 2xx. */
  maxAttempts: number;
  /** Deliveries claimed (and sent in parallel) per round. */
  deliveryBatch: number;
  /** Outbox events fanned out per transaction. */
  fanOutBatch: number;
  /** Per request, connection to last byte of the headers. */
  timeoutMs: number;
  /**
   * How long a claimed delivery stays invisible to other workers while it is sent. Must exceed
   * `timeoutMs` with room to spare: once it runs out another worker may send it again.
   */
  leaseMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  maxAttempts: 8,
  deliveryBatch: 20,
  fanOutBatch: 500,
  timeoutMs: 5_000,
  leaseMs: 60_000,
};

/** Optional provider of a Partial<WebhookOptions> (tests shorten the timeout). */
export const WEBHOOK_OPTIONS = Symbol('WEBHOOK_OPTIONS');

const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;

/**
 * How long to wait after the `attempts`-th failed send before the next one:
 * 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min, then 1 h.
 */
export function webhookRetryDelayMs(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  // 2^7 * 30 s already exceeds the cap; stop there so that huge counts cannot overflow.
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(n - 1, 7), MAX_RETRY_MS);
}
