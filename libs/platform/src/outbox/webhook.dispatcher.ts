import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { SecretBox } from '../crypto/secret-box';
import { DomainError } from '../errors/domain-error';
import { decodeCursor, type Page, toPage } from '../http/pagination';
import type { WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookSubscription } from './webhook-subscription.entity';
import { DEFAULT_WEBHOOK_OPTIONS, WEBHOOK_OPTIONS, type WebhookOptions, webhookRetryDelayMs } from './webhook-options';
import { signWebhook } from './webhook-signature';
import { pinnedLookup, type ResolvedAddress, WebhookTargetRefused, WebhookTargets } from './webhook-target';

/** The JSON body of every webhook request. */
export interface WebhookBody {
  /** The outbox event's id, also in `Webhook-Id`: the same on every retry, so receivers can de-duplicate. */
  id: string;
  type: string;
  occurredAt: string;
  organisationId: string;
  data: Record<string, unknown>;
}

/** One line of a subscription's delivery log. */
export interface WebhookDeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface FanOutResult {
  events: number;
  deliveries: number;
}

export interface DeliveryResult {
  delivered: number;
  retrying: number;
  failed: number;
}

/** A delivery claimed for one send, with what it takes to send it. */
interface ClaimedDelivery {
  id: string;
  attempts: number;
  subscription_id: string;
  active: boolean;
  url: string;
  secret: string;
  event_id: string;
  type: string;
  organisation_id: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
  /** The lease this claim set: the fencing token of its outcome, with `attempts`. */
  leasedUntil: Date;
}

type SendOutcome = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

/**
 * What a partner sees in its delivery log when no HTTP answer came: the reason (refused address,
 * connection refused or reset, name not found, timeout) stays in the server log, or the log would
 * tell whoever registers URLs which ports of which hosts are open.
 */
export const DELIVERY_FAILED = 'delivery failed';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DELIVERY_COLUMNS = `id, subscription_id AS "subscriptionId", event_id AS "eventId", event_type AS "eventType",
  status, attempts, next_attempt_at AS "nextAttemptAt", last_status_code AS "lastStatusCode",
  last_error AS "lastError", delivered_at AS "deliveredAt", created_at AS "createdAt"`;

/**
 * Publishes outbox events to webhook subscriptions, at least once, signed (see webhook-signature.ts).
 * Two steps, each safe with several workers: `fanOut()` turns each new event into one delivery per
 * subscription that wants it; `deliverDue()` sends the due deliveries and retries failures with
 * backoff until `maxAttempts`. No transaction stays open across an HTTP call: a delivery is claimed
 * (attempt counted, `next_attempt_at` moved out as a lease) in one statement, sent, and its outcome
 * recorded only if nobody claimed or replayed it since.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger(WebhookDispatcher.name);
  readonly options: WebhookOptions;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    private readonly targets: WebhookTargets,
    @Optional() @Inject(WEBHOOK_OPTIONS) options?: Partial<WebhookOptions>,
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
  }

  /**
   * Seals every subscription secret still stored in clear (from before secrets were sealed).
   * Each row is updated only if it still holds the value read, so a concurrent change wins.
   * Returns how many were sealed.
   */
  async sealStoredSecrets(): Promise<number> {
    const clear: { id: string; secret: string }[] = await this.db.query(
      `SELECT id, secret FROM webhook_subscription WHERE secret NOT LIKE 'enc:v1:%'`,
    );
    let sealed = 0;
    for (const row of clear) {
      const [, count]: [unknown, number] = await this.db.query(
        `UPDATE webhook_subscription SET secret = $2 WHERE id = $1 AND secret = $3`,
        [row.id, this.secrets.seal(row.secret, row.id), row.secret],
      );
      sealed += count;
    }
    return sealed;
  }

  /** Creates the deliveries of every event not yet dispatched and marks those events dispatched. */
  async fanOut(): Promise<FanOutResult> {
    const total: FanOutResult = { events: 0, deliveries: 0 };
    for (;;) {
      const batch = await this.db.transaction((tx) => this.fanOutBatch(tx));
      total.events += batch.events;
      total.deliveries += batch.deliveries;
      if (batch.events < this.options.fanOutBatch) return total;
    }
  }

  private async fanOutBatch(tx: EntityManager): Promise<FanOutResult> {
    const now = this.clock.now();
    const events: { id: string }[] = await tx.query(
      `SELECT id FROM outbox_event
        WHERE dispatched_at IS NULL
        ORDER BY occurred_at
        LIMIT $1
          FOR UPDATE SKIP LOCKED`,
      [this.options.fanOutBatch],
    );
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const ids = events.map((e) => e.id);
    const deliveries: unknown[] = await tx.query(
      `INSERT INTO webhook_delivery (subscription_id, event_id, event_type, status, attempts, next_attempt_at, created_at)
       SELECT s.id, e.id, e.type, 'pending', 0, $2, $2
         FROM outbox_event e
         JOIN webhook_subscription s ON s.organisation_id = e.organisation_id AND s.active AND e.type = ANY (s.events)
        WHERE e.id = ANY ($1::uuid[])
       ON CONFLICT (subscription_id, event_id) DO NOTHING
       RETURNING id`,
      [ids, now],
    );
    await tx.query('UPDATE outbox_event SET dispatched_at = $2 WHERE id = ANY ($1::uuid[])', [ids, now]);
    return { events: events.length, deliveries: deliveries.length };
  }

  /** Sends every delivery that is due, in batches sent in parallel. */
  async deliverDue(): Promise<DeliveryResult> {
    const total: DeliveryResult = { delivered: 0, retrying: 0, failed: 0 };
    for (;;) {
      const claimed = await this.claim();
      const outcomes = await Promise.all(
        claimed.map((d) =>
          // One delivery's failure to record must not lose the others' outcomes; its lease runs out
          // and it is sent again.
          this.attempt(d).catch((err: unknown) => {
            this.logger.error(`Webhook delivery ${d.id}: recording the attempt failed: ${describeError(err)}`);
            return null;
          }),
        ),
      );
      for (const outcome of outcomes) if (outcome) total[outcome]++;
      if (claimed.length < this.options.deliveryBatch) break;
    }
    if (total.retrying || total.failed) {
      this.logger.warn(`Webhooks: ${total.delivered} delivered, ${total.retrying} to retry, ${total.failed} failed`);
    }
    return total;
  }

  /**
   * Takes up to a batch of due deliveries that no other worker holds, counts the attempt and leases
   * them. One statement: the row locks last only until it commits. A delivery whose subscription
   * was deactivated is taken too (without counting an attempt), so that it is closed, not left due.
   */
  private async claim(): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const leasedUntil = new Date(now.getTime() + this.options.leaseMs);
    // An UPDATE answers [rows, affected count].
    const [rows]: [Omit<ClaimedDelivery, 'leasedUntil'>[], number] = await this.db.query(
      `WITH due AS (
         SELECT id FROM webhook_delivery
          WHERE status = 'pending' AND next_attempt_at <= $1
          ORDER BY next_attempt_at
          LIMIT $3
            FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_delivery d
          SET attempts = d.attempts + CASE WHEN s.active THEN 1 ELSE 0 END, next_attempt_at = $2
         FROM due, webhook_subscription s, outbox_event e
        WHERE d.id = due.id AND s.id = d.subscription_id AND e.id = d.event_id
       RETURNING d.id, d.attempts, s.id AS subscription_id, s.active, s.url, s.secret, e.id AS event_id, e.type, e.organisation_id,
                 e.occurred_at, e.payload`,
      [now, leasedUntil, this.options.deliveryBatch],
    );
    return rows.map((row) => ({ ...row, leasedUntil }));
  }

  private async attempt(d: ClaimedDelivery): Promise<keyof DeliveryResult | null> {
    if (!d.active) {
      const closed = await this.record(d, "status = 'failed', next_attempt_at = NULL, last_error = $4", [
        'The subscription is not active.',
      ]);
      return closed ? 'failed' : null;
    }
    const outcome = await this.send(d);
    const now = this.clock.now();
    if (outcome.ok) {
      const recorded = await this.record(
        d,
        "status = 'delivered', next_attempt_at = NULL, last_status_code = $4, last_error = NULL, delivered_at = $5",
        [outcome.statusCode, now],
      );
      return recorded ? 'delivered' : null;
    }
    const giveUp = d.attempts >= this.options.maxAttempts;
    const recorded = await this.record(d, 'status = $4, next_attempt_at = $5, last_status_code = $6, last_error = $7', [
      giveUp ? 'failed' : 'pending',
      giveUp ? null : new Date(now.getTime() + webhookRetryDelayMs(d.attempts)),
      outcome.statusCode,
      outcome.error.slice(0, 500),
    ]);
    return recorded ? (giveUp ? 'failed' : 'retrying') : null;
  }

  /**
   * One POST; never throws. The host is resolved and every address checked (WebhookTargets), and
   * the connection made to those addresses only. Redirects are not followed (a 3xx is a failed
   * attempt), so no second address is ever reached.
   */
  private async send(d: ClaimedDelivery): Promise<SendOutcome> {
    const body: WebhookBody = {
      id: d.event_id,
      type: d.type,
      occurredAt: new Date(d.occurred_at).toISOString(),
      organisationId: d.organisation_id,
      data: d.payload,
    };
    const raw = JSON.stringify(body);
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const url = new URL(d.url);
      const addresses = await this.targets.resolve(url);
      signal.throwIfAborted();
      const status = await this.post(url, addresses, signal, raw, {
        'Content-Type': 'application/json',
        'User-Agent': 'safeguarding-hub-webhooks/1',
        'Webhook-Id': d.event_id,
        'Webhook-Timestamp': String(timestamp),
        'Webhook-Signature': signWebhook(this.secrets.open(d.secret, d.subscription_id), timestamp, raw),
      });
      if (status >= 200 && status < 300) return { ok: true, statusCode: status };
      return { ok: false, statusCode: status, error: `HTTP ${status}` };
    } catch (err) {
      const why = err instanceof WebhookTargetRefused ? `refused: ${err.message}` : describeError(err);
      this.logger.warn(`Webhook delivery ${d.id} (attempt ${d.attempts}) failed: ${why}`);
      return { ok: false, statusCode: null, error: DELIVERY_FAILED };
    }
  }

  /** The status of a POST to `url`, connected to `addresses` (checked) and never to anything DNS says later. */
  private post(
    url: URL,
    addresses: ResolvedAddress[],
    signal: AbortSignal,
    raw: string,
    headers: Record<string, string>,
  ): Promise<number> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(raw)) },
          lookup: pinnedLookup(addresses),
          // A connection of its own: never one kept alive to an address checked for another delivery.
          agent: false,
          signal,
        },
        (res) => {
          // The answer's body is not used: the status is all, so the connection is closed at once.
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on('error', reject);
      req.end(raw);
    });
  }

  /**
   * Records the outcome of the attempt claimed as `d` (parameters from $4 on), unless the delivery
   * was claimed again or replayed meanwhile: then that newer attempt decides and this one is dropped.
   */
  private async record(d: ClaimedDelivery, set: string, values: unknown[]): Promise<boolean> {
    const [, count]: [unknown[], number] = await this.db.query(
      `UPDATE webhook_delivery SET ${set}
        WHERE id = $1 AND status = 'pending' AND attempts = $2 AND next_attempt_at = $3`,
      [d.id, d.attempts, d.leasedUntil, ...values],
    );
    return count === 1;
  }

  /**
   * Registers a subscription of an API client (the caller checked the client may, and the URL);
   * its secret is sealed to the subscription's id. Returns it without the secret.
   */
  async subscribe(s: {
    organisationId: string;
    clientId: string;
    url: string;
    secret: string;
    events: string[];
    /** Subscriptions one client may hold: beyond it, 422 WEBHOOK.LIMIT_REACHED. */
    maxPerClient: number;
  }): Promise<{ id: string; url: string; events: string[]; active: boolean; createdAt: Date }> {
    const { maxPerClient, ...subscription } = s;
    // The id is chosen here so the secret can be sealed to it (SecretBox context).
    const id = randomUUID();
    const saved = await this.db.transaction(async (tx) => {
      // One client's subscriptions are added in turn, so two at once cannot pass the count together.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('webhook-subscribe:' || $1, 0))`, [s.clientId]);
      const [{ held }] = await tx.query('SELECT count(*)::int AS held FROM webhook_subscription WHERE client_id = $1', [
        s.clientId,
      ]);
      if (held >= maxPerClient) {
        throw new DomainError(
          'WEBHOOK.LIMIT_REACHED',
          422,
          'Unprocessable Content',
          `A partner system holds at most ${maxPerClient} webhook subscriptions.`,
        );
      }
      const repo = tx.getRepository(WebhookSubscription);
      return repo.save(repo.create({ id, ...subscription, secret: this.secrets.seal(s.secret, id), active: true }));
    });
    return { id: saved.id, url: saved.url, events: saved.events, active: saved.active, createdAt: saved.createdAt };
  }

  /**
   * Sends a delivery again, whatever its state: pending and due now. Its attempt count goes on from
   * where it was, so a replayed delivery that fails again (with the count at `maxAttempts`) is
   * failed at once rather than retried another eight times.
   * The caller checks that the delivery's subscription belongs to the actor's organisation.
   */
  async replay(deliveryId: string): Promise<void> {
    if (!UUID.test(deliveryId)) throw DomainError.notFound('Webhook delivery');
    // The event counts as published anew, so the retention purge cannot take it from under the
    // replay: both take the event's row lock, and the purge re-checks dispatched_at under it.
    const [, count]: [unknown[], number] = await this.db.query(
      `WITH event AS (
         UPDATE outbox_event e SET dispatched_at = greatest(e.dispatched_at, $2)
           FROM webhook_delivery d WHERE d.id = $1 AND e.id = d.event_id
         RETURNING e.id
       )
       UPDATE webhook_delivery SET status = 'pending', next_attempt_at = $2
        WHERE id = $1 AND event_id IN (SELECT id FROM event)`,
      [deliveryId, this.clock.now()],
    );
    if (count !== 1) throw DomainError.notFound('Webhook delivery');
  }

  /**
   * A subscription's delivery log, newest first. The caller checks that the subscription belongs
   * to the actor's organisation.
   */
  async deliveries(subscriptionId: string, limit = 50, cursor?: string): Promise<Page<WebhookDeliveryView>> {
    // The time is PostgreSQL's own text (microseconds kept), passed back as written.
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    if (!UUID.test(subscriptionId)) return { data: [], nextCursor: null };
    const size = Math.min(Math.max(Math.floor(limit), 1), 200);
    const params: unknown[] = [subscriptionId, size + 1];
    if (after) params.push(after[0], after[1]);
    const rows: (WebhookDeliveryView & { cursorAt: string })[] = await this.db.query(
      `SELECT ${DELIVERY_COLUMNS}, created_at::text AS "cursorAt"
         FROM webhook_delivery
        WHERE subscription_id = $1 ${after ? 'AND (created_at, id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY created_at DESC, id DESC
        LIMIT $2`,
      params,
    );
    const page = toPage(rows, size, (row) => [row.cursorAt, row.id]);
    return { data: page.data.map(({ cursorAt: _, ...view }) => view), nextCursor: page.nextCursor };
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

const asErrorLike = (e: unknown): ErrorLike | null => (e !== null && typeof e === 'object' ? e : null);

/** e.g. `fetch failed: ECONNREFUSED`, `TimeoutError: The operation was aborted due to timeout`. */
function describeError(err: unknown): string {
  // Duck-typed: the error may come from another realm (undici's), where instanceof Error fails.
  const e = asErrorLike(err);
  if (!e || typeof e.message !== 'string') return String(err);
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, a TLS error...) in `cause`.
  const cause = asErrorLike(e.cause);
  if (cause) {
    const reason = typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '';
    if (reason) return `${e.message}: ${reason}`;
  }
  return typeof e.name === 'string' ? `${e.name}: ${e.message}` : e.message;
}
