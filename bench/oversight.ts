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
 * API_PORT (3130). The database is reused when it already holds N children and D deadlines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
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

/** The open-work part of the dashboard, as the service runs it for an unrestricted viewer (bare pg). */
const OPEN_SQL = `
SELECT d.organisation_id, o.name, d.team_id, t.name AS team, d.rule, count(*)::int AS open,
       count(*) FILTER (WHERE d.due_at < $1)::int AS overdue,
       count(*) FILTER (WHERE d.due_at >= $1 AND d.due_at < $2)::int AS due_soon,
       min(d.due_at) FILTER (WHERE d.due_at < $1) AS oldest, min(d.due_at) AS next_due
  FROM deadline d JOIN organisation o ON o.id = d.organisation_id LEFT JOIN team t ON t.id = d.team_id
 WHERE d.state = 'open' AND ($3::uuid IS NULL OR d.organisation_id = $3)
 GROUP BY d.organisation_id, o.name, d.team_id, t.name, d.rule
 ORDER BY min(d.due_at) FILTER (WHERE d.due_at < $1) NULLS LAST, o.name, t.name NULLS FIRST, d.rule`;

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
  await c.query('ANALYZE deadline');
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
          await c.query(OPEN_SQL, [now, new Date(now.getTime() + 86_400_000), org]);
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
