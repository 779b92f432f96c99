import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, APP_CONFIG, type AppConfig } from '@app/platform';

type ActorKind = Actor['kind'];

/**
 * Which actors' earlier tokens are no longer good. A user's token generation
 * (app_user.token_generation) moves when they are deactivated or their roles or team change, an
 * API client's (api_client.token_generation) when it is deactivated; a token carries the
 * generation read when it was issued, and an older one is refused. Every API process
 * keeps the recent moves in memory and re-reads them at most every TOKEN_REVOCATION_POLL_SECONDS,
 * so a change made through another process takes effect within that time; the process that made
 * it applies it at once. Only moves younger than the token lifetime matter: tokens from before
 * them have expired anyway.
 */
@Injectable()
export class TokenRevocations {
  /** `<kind>:<id>` -> current token generation, for actors whose generation moved recently */
  private current = new Map<string, { generation: number; at: number }>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether a token of this user or client, carrying `generation`, is refused. */
  async refuses(kind: ActorKind, id: string, generation: number): Promise<boolean> {
    if (Date.now() - this.loadedAt >= this.config.tokenRevocationPollSeconds * 1000) await this.reload();
    const known = this.current.get(`${kind}:${id}`);
    return known !== undefined && generation < known.generation;
  }

  /** A change made by this process: applied before the next reload. */
  note(kind: ActorKind, id: string, generation: number): void {
    const key = `${kind}:${id}`;
    const known = this.current.get(key);
    if (known === undefined || known.generation < generation) this.current.set(key, { generation, at: Date.now() });
  }

  private reload(): Promise<void> {
    const horizon = Date.now() - this.config.accessTokenTtlSeconds * 1000 - 60_000;
    this.loading ??= this.db
      .query<{ key: string; generation: number }[]>(
        `SELECT 'user:' || id AS key, token_generation AS generation FROM app_user WHERE tokens_valid_after > $1
         UNION ALL
         SELECT 'client:' || id, token_generation FROM api_client WHERE tokens_valid_after > $1`,
        [new Date(horizon)],
      )
      .then((rows) => {
        // Generations only move forward: keep what this process noted meanwhile (the read may
        // have started before that change committed), drop what no live token can predate.
        const next = new Map(rows.map((r) => [r.key, { generation: r.generation, at: Date.now() }]));
        for (const [id, known] of this.current) {
          if (known.at > horizon && known.generation > (next.get(id)?.generation ?? -1)) next.set(id, known);
        }
        this.current = next;
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
