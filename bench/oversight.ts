/**
 * The oversight benchmark: the partnership dashboard (`GET /api/v1/oversight/dashboard`) through
 * the full stack, for an inspector (every organisation) and a council team manager (its own), with
 * N children and D deadlines; beside the same SQL through bare pg in the same run. Issue 16's goal:
 * p95 < 200 ms at 4 connections on 1M children and 2M deadlines.
 *
 *   npm run bench:oversight
 *
 * Environment: N (children, default 1000000), D (deadlines, 2000000), CONNECTIONS (1,4), DURATION
 * (20 s), PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_DB (bench_oversight), DB_POOL_MAX (10),
 * API_PORT (3130). The database is reused when it already holds N children and D deadlines; a
 * database generated before the deadlines' read model (migration DeadlineCounts) needs it first:
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_oversight npm run migration:run` (the
 * migration backfills the model from the rows).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { openWorkSql } from '@app/oversight';
import {
  BENCH_DATA_KEY,
  databaseExists,
  int,
  loadFigures,
  loadRun,
  log,
  login,
  machine,
  quantile,
  recreateSeeded,
  ROOT,
  startServer,
  stopServers,
  withClient,
} from './common';
import { generate, generatedCount, markGenerated } from './data';

const env = process.env;
const cfg = {
  n: int('N', 1_000_000),
  d: int('D', 2_000_000),
  connections: (env.CONNECTIONS || '1,4').split(',').map(Number),
  duration: int('DURATION', 20),
  pool: int('DB_POOL_MAX', 10),
  apiPort: int('API_PORT', 3130),
  pgUrl: env.PG_URL || 'postgres://postgres@127.0.0.1:5432',
  db: env.BENCH_DB || 'bench_oversight',
  jwtSecret: 'bench-oversight-secret-bench-oversight-0',
};
const dbUrl = () => `${cfg.pgUrl}/${cfg.db}`;
const RULES = ['concern.decision', 'referral.decision', 'mash.checks', 'information_request.decision'];

/**
 * The open-work part of the dashboard, the service's own statement (`openWorkSql`: the kernel's
 * read model, decision 0014) for an unrestricted viewer or one organisation, through bare pg.
 */
const OPEN_SQL = openWorkSql('($3::uuid IS NULL OR m.organisation_id = $3)')
  .replace(/:now\b/g, '$1::timestamptz')
  .replace(/:soon\b/g, '$2::timestamptz')
  .replace(/:h0\b/g, '$4::timestamptz')
  .replace(/:h1\b/g, '$5::timestamptz');
const HOUR = 3_600_000;
const hourOf = (t: Date) => new Date(Math.floor(t.getTime() / HOUR) * HOUR);

async function deadlines(c: Client): Promise<number> {
  return (await c.query(`SELECT count(*)::int AS n FROM deadline WHERE subject_type = 'BenchWork'`)).rows[0].n;
}

/** D deadlines over the generated children's organisations and teams: 60% open, a third of those overdue. */
async function generateDeadlines(c: Client, d: number): Promise<void> {
  await c.query(`DELETE FROM deadline WHERE subject_type = 'BenchWork'`);
  const step = 250_000;
  for (let from = 0; from < d; from += step) {
    await c.query(
      `WITH teams AS (SELECT row_number() OVER (ORDER BY t.id) - 1 AS i, t.id, t.organisation_id FROM team t
                        JOIN organisation o ON o.id = t.organisation_id WHERE o.type <> 'oversight'),
            nt AS (SELECT count(*) AS n FROM teams)
       INSERT INTO deadline (subject_type, subject_id, organisation_id, team_id, rule, due_at, state, opened_at, closed_at)
       SELECT 'BenchWork', gen_random_uuid(), t.organisation_id, CASE WHEN g % 3 = 0 THEN NULL ELSE t.id END,
              ($3::text[])[1 + g % 4], now() + ((g % 240) - 80) * interval '1 hour',
              CASE WHEN g % 5 < 3 THEN 'open' ELSE 'met' END, now() - interval '10 days',
              CASE WHEN g % 5 < 3 THEN NULL ELSE now() - interval '1 day' END
         FROM generate_series($1::int, $2::int) g, nt JOIN teams t ON true
        WHERE t.i = g % nt.n`,
      [from, Math.min(d, from + step) - 1, RULES],
    );
    log(`deadlines: ${Math.min(d, from + step)} / ${d}`);
  }
  // The trigger appended a count delta per row: fold them into the buckets, as the worker's sweep does.
  const t0 = performance.now();
  const folded = (await c.query('SELECT deadline_count_fold() AS n')).rows[0].n as number;
  log(`read model: ${folded} deltas folded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await c.query('VACUUM ANALYZE deadline');
  await c.query('VACUUM ANALYZE deadline_count_bucket');
  await c.query('VACUUM ANALYZE deadline_count_delta');
}

async function bareRun(connections: number, seconds: number, org: string | null) {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, () =>
      withClient(dbUrl(), async (c) => {
        while (Date.now() < end) {
          const t0 = performance.now();
          const now = new Date();
          const soon = new Date(now.getTime() + 86_400_000);
          await c.query(OPEN_SQL, [now, soon, org, hourOf(now), hourOf(soon)]);
          latencies.push(performance.now() - t0);
        }
      }),
    ),
  );
  const sorted = Float64Array.from(latencies).sort();
  return { requests: sorted.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

async function main(): Promise<void> {
  const ready =
    (await databaseExists(cfg.pgUrl, cfg.db)) &&
    (await withClient(dbUrl(), async (c) => (await generatedCount(c)) === cfg.n && (await deadlines(c)) === cfg.d));
  if (!ready) {
    await recreateSeeded(cfg.pgUrl, cfg.db);
    await withClient(dbUrl(), async (c) => {
      await generate(c, cfg.n, (m) => log(m));
      await markGenerated(c, cfg.n);
      await generateDeadlines(c, cfg.d);
    });
  }
  const nsc = await withClient(
    dbUrl(),
    async (c) => (await c.query(`SELECT id FROM organisation WHERE code = 'NSC'`)).rows[0].id as string,
  );
  await startServer('API', 'apps/api/src/main.js', cfg.apiPort, {
    NODE_ENV: 'production',
    DATA_ENCRYPTION_KEY: BENCH_DATA_KEY,
    JWT_SECRET: cfg.jwtSecret,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    CLIENT_RATE_LIMIT_PER_MINUTE: '1000000',
    DATABASE_URL: dbUrl(),
    DB_POOL_MAX: String(cfg.pool),
  });
  const password = env.DEMO_PASSWORD || 'demo-password';
  const viewers = [
    ['inspector', 'inspector@inspectorate.example', null],
    ['council team manager', 'team.manager@northshire-council.example', nsc],
  ] as const;
  const results: Record<string, unknown>[] = [];
  try {
    for (const [label, email, org] of viewers) {
      const token = await login(cfg.apiPort, email, password);
      for (const connections of cfg.connections) {
        const { result, latencies } = await loadRun({
          port: cfg.apiPort,
          connections,
          seconds: cfg.duration,
          headers: { authorization: `Bearer ${token}` },
          requests: [{ method: 'GET', path: '/api/v1/oversight/dashboard' }],
        });
        const api = loadFigures(result, latencies, cfg.duration);
        const bare = await bareRun(connections, cfg.duration, org);
        results.push({ viewer: label, connections, api, bareOpenSql: bare });
        log(
          `${label} @${connections}: API p95 ${api.p95} ms (${api.reqPerSec}/s), bare open-work SQL p95 ${bare.p95.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    stopServers();
  }
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `oversight-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine: machine(), cfg: { ...cfg, jwtSecret: undefined }, results }, null, 2));
  log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  stopServers();
  process.exit(1);
});
