/**
 * The web service's pages under load: server time per page (including the API calls the page
 * makes) for my work (`/`), the referral inbox (`/referrals`) and a child's chronology, through
 * the real web service and the real API on a real PostgreSQL with N generated children and R
 * referrals.
 *
 *   npm run build && node scripts/run.js bench/web.js
 *
 * Environment: N (children, 100000), R (referrals, 100000), CONNECTIONS (4), DURATION (10 s),
 * WARMUP (3 s), PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_DB (bench_web), API_PORT (3120),
 * WEB_PORT (3121), BENCH_USER (mash.officer@northshire-council.example), DB_POOL_MAX (10), QUIET_CORES
 * (0.3) and QUIET_TIMEOUT (180 s): each page waits for the machine to be quiet first, as run.ts does.
 * Results go to bench/results/web-<N>-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH_DATA_KEY,
  assertBenchDb,
  databaseExists,
  int,
  loadFigures,
  type LoadFigures,
  loadRun,
  log,
  machine,
  markdownTable,
  recreateSeeded,
  ROOT,
  startServer,
  stopServers,
  withClient,
} from './common';
import { waitForQuiet } from './cpu';
import { generate, generatedCount, markGenerated } from './data';
import { generatedReferrals, generateReferrals, markGeneratedReferrals } from './referral-data';

const env = process.env;
const cfg = {
  n: int('N', 100_000),
  r: int('R', 100_000),
  connections: int('CONNECTIONS', 4),
  duration: int('DURATION', 10),
  warmup: int('WARMUP', 3),
  pool: int('DB_POOL_MAX', 10),
  apiPort: int('API_PORT', 3120),
  webPort: int('WEB_PORT', 3121),
  pgUrl: (env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
  db: env.BENCH_DB ?? 'bench_web',
  user: env.BENCH_USER ?? 'mash.officer@northshire-council.example',
  password: env.DEMO_PASSWORD ?? 'demo-password',
  quietCores: Number(env.QUIET_CORES ?? '0.3'),
  quietTimeout: int('QUIET_TIMEOUT', 180),
};
const dbUrl = () => `${cfg.pgUrl}/${cfg.db}`;
const JWT_SECRET = 'bench-web-jwt-secret-0123456789abcdefghij';
const SESSION_SECRET = 'bench-web-session-secret-0123456789abcdef';

async function ensureData(): Promise<void> {
  assertBenchDb(cfg.db);
  if (await databaseExists(cfg.pgUrl, cfg.db)) {
    const [children, referrals] = await withClient(dbUrl(), async (c) => [
      await generatedCount(c),
      await generatedReferrals(c),
    ]);
    if (children === cfg.n && referrals === cfg.r)
      return log(`reusing ${cfg.db}: ${cfg.n} children, ${cfg.r} referrals`);
  }
  await recreateSeeded(cfg.pgUrl, cfg.db);
  await withClient(dbUrl(), async (c) => {
    await generate(c, cfg.n, (m) => log(m));
    await markGenerated(c, cfg.n);
    await generateReferrals(c, cfg.r, (m) => log(m));
    await markGeneratedReferrals(c, cfg.r);
  });
}

/** Signs in through the web's own form, as a browser does: the session cookie. */
async function signIn(): Promise<string> {
  const base = `http://127.0.0.1:${cfg.webPort}`;
  // Behind a TLS-terminating proxy (production cookies are Secure).
  const headers = { 'x-forwarded-proto': 'https' };
  const page = await fetch(`${base}/sign-in`, { headers });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email: cfg.user, password: cfg.password }).toString(),
  });
  if (res.status !== 303 || res.headers.get('location') !== '/') throw new Error(`sign-in failed: ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

/** One connection, 30 requests: the medians of the page's own Server-Timing (API wait, render, total). */
async function serverTimingSplit(paths: string[], headers: Record<string, string>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = { api: [], render: [], total: [] };
  for (let i = 0; i < 30; i++) {
    const res = await fetch(`http://127.0.0.1:${cfg.webPort}${paths[i % paths.length]}`, { headers });
    await res.text();
    for (const part of (res.headers.get('server-timing') ?? '').split(',')) {
      const m = /^\s*(\w+);dur=([\d.]+)/.exec(part);
      if (m && samples[m[1]]) samples[m[1]].push(Number(m[2]));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, Math.round(median(xs) * 10) / 10]));
}

async function main(): Promise<void> {
  await ensureData();
  const common = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl(),
    LOG_LEVEL: 'warn',
    DATA_ENCRYPTION_KEY: BENCH_DATA_KEY,
  };
  await startServer('api', 'apps/api/src/main.js', cfg.apiPort, {
    ...common,
    JWT_SECRET,
    DB_POOL_MAX: String(cfg.pool),
    LOGIN_MAX_FAILURES_PER_IP: '100000',
  });
  await startServer('web', 'apps/web/src/main.js', cfg.webPort, {
    ...common,
    WEB_PORT: String(cfg.webPort),
    API_URL: `http://127.0.0.1:${cfg.apiPort}`,
    SESSION_SECRET,
    TRUST_PROXY: 'true',
    SESSION_IDLE_MINUTES: '60',
  });
  const cookie = await signIn();
  const childIds = await withClient(dbUrl(), async (c) => {
    const r = await c.query<{ id: string }>(
      `SELECT i.child_id AS id FROM involvement i JOIN organisation o ON o.id = i.organisation_id
        JOIN child ch ON ch.id = i.child_id
        WHERE o.code = 'NSC' AND i.until_at IS NULL AND NOT ch.restricted ORDER BY i.child_id LIMIT 500`,
    );
    return r.rows.map((row) => row.id);
  });
  const pages: [string, string[]][] = [
    ['my work /', ['/']],
    ['referral inbox /referrals', ['/referrals']],
    ['chronology /children/:id/chronology', childIds.map((id) => `/children/${id}/chronology`)],
  ];
  const headers = { cookie, 'x-forwarded-proto': 'https' };
  const rows: { page: string; figures: LoadFigures; quietBefore: boolean; split: Record<string, number> }[] = [];
  for (const [name, paths] of pages) {
    const requests = paths.map((path) => ({ method: 'GET' as const, path }));
    // Other work on a shared machine skews latency: wait for it to go quiet (or say it did not).
    const quietBefore = await waitForQuiet(cfg.quietCores, cfg.quietTimeout * 1000);
    await loadRun({ port: cfg.webPort, connections: cfg.connections, seconds: cfg.warmup, headers, requests });
    const { result, latencies } = await loadRun({
      port: cfg.webPort,
      connections: cfg.connections,
      seconds: cfg.duration,
      headers,
      requests,
    });
    const figures = loadFigures(result, latencies, cfg.duration);
    const split = await serverTimingSplit(paths, headers);
    rows.push({ page: name, figures, quietBefore, split });
    log(
      `${name}: ${figures.reqPerSec} req/s, p50 ${figures.p50} / p95 ${figures.p95} / p99 ${figures.p99} ms, non-2xx ${figures.non2xx}`,
    );
  }
  console.log(
    markdownTable([
      [
        'page',
        'req/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'non-2xx',
        'quiet before',
        '1 conn: api / render / total ms (median)',
      ],
      ...rows.map((r) => [
        r.page,
        String(r.figures.reqPerSec),
        String(r.figures.p50),
        String(r.figures.p95),
        String(r.figures.p99),
        String(r.figures.non2xx),
        r.quietBefore ? 'yes' : 'no',
        `${r.split.api} / ${r.split.render} / ${r.split.total}`,
      ]),
    ]),
  );
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `web-${cfg.n}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ cfg: { ...cfg, password: undefined }, machine: machine(), rows }, null, 2));
  log(`results in ${file}`);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => stopServers());
