import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/platform';

/**
 * Which users' earlier tokens are no longer good (app_user.tokens_valid_after: set when a user is
 * deactivated or their roles or team change). Every API process keeps the recent ones in memory
 * and re-reads them at most every TOKEN_REVOCATION_POLL_SECONDS, so a change made through another
 * process takes effect within that time; the process that made it applies it at once. Only
 * changes younger than the token lifetime matter: older tokens have expired anyway.
 */
@Injectable()
export class TokenRevocations {
  /** user id -> epoch ms before which their tokens are refused */
  private validAfter = new Map<string, number>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether a token of this user, issued at `issuedAt` (JWT `iat`, seconds), is refused. */
  async refuses(userId: string, issuedAt: number): Promise<boolean> {
    if (Date.now() - this.loadedAt >= this.config.tokenRevocationPollSeconds * 1000) await this.reload();
    const after = this.validAfter.get(userId);
    // `iat` has whole seconds: a token from the second of the change is refused too (log in again).
    return after !== undefined && issuedAt < Math.ceil(after / 1000);
  }

  /** A change made by this process: applied before the next reload. */
  note(userId: string, at: Date): void {
    const known = this.validAfter.get(userId);
    if (known === undefined || known < at.getTime()) this.validAfter.set(userId, at.getTime());
  }

  private reload(): Promise<void> {
    const horizon = Date.now() - this.config.accessTokenTtlSeconds * 1000 - 60_000;
    this.loading ??= this.db
      .query<{ id: string; after: Date }[]>(
        `SELECT id, tokens_valid_after AS after FROM app_user WHERE tokens_valid_after > $1`,
        [new Date(horizon)],
      )
      .then((rows) => {
        // A revocation only ever narrows: keep what this process noted meanwhile (the read may
        // have started before that change committed), drop what no live token can predate.
        const next = new Map(rows.map((r) => [r.id, new Date(r.after).getTime()]));
        for (const [id, at] of this.validAfter) {
          if (at > horizon && at > (next.get(id) ?? Number.NEGATIVE_INFINITY)) next.set(id, at);
        }
        this.validAfter = next;
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
