import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, Clock, DomainError } from '@app/platform';

/** Advisory-lock namespaces (the first key of pg_advisory_xact_lock(int, int)): one per kind of key. */
const ACCOUNT_LOCK = 0x4c4f4741; // 'LOGA'
const ADDRESS_LOCK = 0x4c4f4749; // 'LOGI'

/** An attempt counted before its secret is checked: released if the secret was right. */
export interface LoginReservation {
  ids: string[];
  account: string;
}

/**
 * Limits login attempts per account (LOGIN_MAX_FAILURES) and per client address
 * (LOGIN_MAX_FAILURES_PER_IP) within LOGIN_FAILURE_WINDOW_SECONDS, counted in the database so that
 * every API instance sees the same counts.
 *
 * An attempt is recorded (reserved) BEFORE its password is checked, under a lock per account and
 * per address, and refused with 429 when either count is already at its limit. A batch of parallel
 * guesses therefore gets at most the limit's worth of checks: counting after the slow hash let 30
 * parallel guesses through. A wrong secret leaves its record as the failure; a right one deletes it
 * and the account's earlier failures (the address keeps its count).
 */
@Injectable()
export class LoginLimiter {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private keys(identity: string, ip: string): { account: string; address: string } {
    const digest = createHash('sha256').update(identity.toLowerCase()).digest('hex').slice(0, 40);
    return { account: `id:${digest}`, address: `ip:${ip}`.slice(0, 100) };
  }

  /** Counts one attempt for the identity and the address, or throws 429 if either is at its limit. */
  async reserve(identity: string, ip: string): Promise<LoginReservation> {
    const { account, address } = this.keys(identity, ip);
    const now = this.clock.now();
    const since = new Date(now.getTime() - this.config.loginFailureWindowSeconds * 1000);
    const ids = await this.db.transaction(async (tx) => {
      // The count and the insert below must not interleave with another attempt on the same
      // account or address, on any instance. Always the account first, then the address, and in
      // separate namespaces, so two attempts never wait for each other in a cycle. The insert runs
      // after the locks are held, so its snapshot sees every attempt committed before.
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ACCOUNT_LOCK, account]);
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ADDRESS_LOCK, address]);
      const rows: { id: string }[] = await tx.query(
        `INSERT INTO login_failure (key, at)
         SELECT k, $3 FROM unnest(ARRAY[$1, $2]::varchar[]) AS k
          WHERE (SELECT count(*) FROM login_failure WHERE key = $1 AND at > $4) < $5
            AND (SELECT count(*) FROM login_failure WHERE key = $2 AND at > $4) < $6
         RETURNING id`,
        [account, address, now, since, this.config.loginMaxFailures, this.config.loginMaxFailuresPerIp],
      );
      return rows.map((r) => String(r.id));
    });
    if (ids.length === 0) throw DomainError.tooManyRequests(this.config.loginFailureWindowSeconds);
    return { ids, account };
  }

  /** The secret was right: this attempt was no failure, and the account's earlier failures are forgiven. */
  async succeeded(reservation: LoginReservation): Promise<void> {
    await this.db.query('DELETE FROM login_failure WHERE id = ANY($1::bigint[]) OR key = $2', [
      reservation.ids,
      reservation.account,
    ]);
  }
}
