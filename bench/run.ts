/**
 * The children benchmark: full stack (Nest + TypeORM + PostgreSQL) against a bare `pg` server
 * sending the same SQL, in the same run, on the same database. See bench/README.md.
 *
 *   npm run build && N=100000 node scripts/run.js bench/run.js
 *
 * Environment: N (children, default 100000, at most 1000000), CONNECTIONS (32), DURATION (seconds
 * per measured run, 20), WARMUP (seconds, 5), SCENARIOS (read,search-name,search-surname),
 * PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_DB (bench_children), DB_POOL_MAX (10, for
 * both servers), API_PORT (3100), BARE_PORT (3101), BENCH_USER (cse.officer@northshire-police.example),
 * API_LOG_LEVEL (warn: the API's LOG_LEVEL), EXPLAIN=0 to skip the EXPLAIN ANALYZE of the captured statements at the end; QUIET_CORES (0.3) and
 * QUIET_TIMEOUT (180 s): before each run, wait until other work on the machine has stopped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { normaliseName, wordsOf } from '@app/children';
import {
  BENCH_DATA_KEY,
  assertBenchDb,
  benchPids as pidsOf,
  databaseExists,
  int,
  loadFigures,
  type LoadFigures,
  loadRun,
  log,
  login as loginAs,
  machine,
  markdownTable,
  recreateSeeded,
  ROOT,
  startServer as start,
  stopServers,
  withClient,
} from './common';
import { type CpuWindow, startCpuWindow, waitForQuiet } from './cpu';
import { generate, generatedCount, markGenerated, MAX_N } from './data';

const env = process.env;

const cfg = {
  n: int('N', 100_000),
  connections: int('CONNECTIONS', 32),
  duration: int('DURATION', 20),
  warmup: int('WARMUP', 5),
  pool: int('DB_POOL_MAX', 10),
  apiPort: int('API_PORT', 3100),
  barePort: int('BARE_PORT', 3101),
  pgUrl: (env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, ''),
  db: env.BENCH_DB ?? 'bench_children',
  user: env.BENCH_USER ?? 'cse.officer@northshire-police.example',
  password: env.DEMO_PASSWORD ?? 'demo-password',
  scenarios: (env.SCENARIOS ?? 'read,search-name,search-surname').split(',').map((s) => s.trim()),
  explain: env.EXPLAIN !== '0',
  jwtSecret: env.JWT_SECRET ?? 'bench-only-secret-0123456789abcdef0123456789',
  /** Before each run, wait (up to QUIET_TIMEOUT seconds) until the machine uses under QUIET_CORES cores. */
  quietCores: Number(env.QUIET_CORES ?? 0.3),
  quietTimeout: int('QUIET_TIMEOUT', 180),
};

const SCENARIOS: Record<string, { title: string; paths: (s: Sample) => string[] }> = {
  read: { title: 'GET /children/:id', paths: (s) => s.ids.map((id) => `/api/v1/children/${id}`) },
  'search-name': {
    title: 'GET /children?q=<given family>',
    paths: (s) => s.fullNames.map((q) => `/api/v1/children?q=${encodeURIComponent(q)}`),
  },
  'search-surname': {
    title: 'GET /children?q=<family>',
    paths: (s) => s.familyNames.map((q) => `/api/v1/children?q=${encodeURIComponent(q)}`),
  },
};

interface Sample {
  ids: string[];
  fullNames: string[];
  familyNames: string[];
}

interface Measured extends LoadFigures {
  scenario: string;
  target: 'full' | 'bare';
  /** CPU during the measured run: whole machine, the bench's processes, everything else. */
  cpu: CpuWindow;
  /** False when the machine never went quiet before the run (others' work disturbed it). */
  quietBefore: boolean;
}

/** The bench database with exactly N generated children: reused when it has them, else rebuilt. */
async function ensureData(): Promise<{ generatedSeconds: number | null }> {
  assertBenchDb(cfg.db);
  if (cfg.n < 1 || cfg.n > MAX_N) throw new Error(`N must be 1 to ${MAX_N}`);
  const exists = await databaseExists(cfg.pgUrl, cfg.db);
  if (exists) {
    const have = await withClient(dbUrl(cfg.db), (c) => generatedCount(c));
    if (have === cfg.n) {
      log(`database ${cfg.db} already holds ${cfg.n} generated children: reusing it`);
      return { generatedSeconds: null };
    }
    log(`database ${cfg.db} holds ${have ?? 'no'} generated children, not ${cfg.n}: recreating it`);
  }
  const started = Date.now();
  // Migrations and the demo world (organisations, users, the demo children), as `npm run seed`.
  await recreateSeeded(cfg.pgUrl, cfg.db);
  await withClient(dbUrl(cfg.db), async (c) => {
    await generate(c, cfg.n, (m) => log(m));
    await markGenerated(c, cfg.n);
  });
  return { generatedSeconds: Math.round((Date.now() - started) / 1000) };
}

const dbUrl = (name: string): string => `${cfg.pgUrl}/${name}`;

function startServer(name: string, entry: string, port: number, extraEnv: Record<string, string>) {
  return start(name, entry, port, { ...extraEnv, DATABASE_URL: dbUrl(cfg.db), DB_POOL_MAX: String(cfg.pool) });
}

const login = (): Promise<string> => loginAs(cfg.apiPort, cfg.user, cfg.password);

/** Children the bench user's organisation may see (active involvement, not restricted), at random. */
async function pickSample(orgId: string): Promise<Sample> {
  return withClient(dbUrl(cfg.db), async (c) => {
    const rows = await c.query<{ id: string; given_name: string; family_name: string }>(
      `SELECT c.id, c.given_name, c.family_name FROM child c
        WHERE NOT c.restricted
          AND EXISTS (SELECT 1 FROM involvement i WHERE i.child_id = c.id AND i.organisation_id = $1
                        AND i.from_at <= now() AND (i.until_at IS NULL OR i.until_at > now()))
        ORDER BY random() LIMIT 1000`,
      [orgId],
    );
    if (rows.rows.length < 10) throw new Error('too few children visible to the bench user');
    return {
      ids: rows.rows.map((r) => r.id),
      fullNames: rows.rows.slice(0, 200).map((r) => `${r.given_name} ${r.family_name}`),
      familyNames: rows.rows.slice(200, 400).map((r) => r.family_name),
    };
  });
}

function load(port: number, paths: string[], token: string, seconds: number) {
  let next = 0;
  const requests: autocannon.Request[] = [
    { method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) },
  ];
  return loadRun({
    port,
    connections: cfg.connections,
    seconds,
    headers: { authorization: `Bearer ${token}` },
    requests,
  });
}

/** The processes whose CPU counts as the benchmark's: this one, both servers, their PostgreSQL backends. */
const benchPids = (): Promise<number[]> => pidsOf(cfg.pgUrl, cfg.db);

async function measure(
  scenario: string,
  target: 'full' | 'bare',
  port: number,
  paths: string[],
  token: string,
): Promise<Measured> {
  const quietBefore = await waitForQuiet(cfg.quietCores, cfg.quietTimeout * 1000);
  if (!quietBefore)
    log(`the machine stayed busy for ${cfg.quietTimeout} s before ${scenario} ${target}: running anyway`);
  if (cfg.warmup > 0) await load(port, paths, token, cfg.warmup);
  const pids = await benchPids();
  const cpuWindow = startCpuWindow(() => pids);
  const { result, latencies } = await load(port, paths, token, cfg.duration);
  const cpu = cpuWindow();
  const m: Measured = {
    scenario,
    target,
    cpu,
    quietBefore,
    ...loadFigures(result, latencies, cfg.duration),
  };
  log(
    `${scenario} ${target}: ${m.reqPerSec} req/s, p50 ${m.p50} ms, p95 ${m.p95} ms, p99 ${m.p99} ms, ` +
      `CPU ${cpu.busyCores} cores (bench ${cpu.benchCores}, other ${cpu.otherCores})` +
      (m.non2xx || m.errors ? `, NON-2XX ${m.non2xx}, errors ${m.errors}` : ''),
  );
  return m;
}

/** Both servers must answer the same children for the same request, or the comparison is void. */
async function crossCheck(token: string, sample: Sample): Promise<void> {
  const get = async (port: number, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path} on :${port} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id?: string; data?: { id: string }[] };
  };
  for (const path of [
    `/api/v1/children/${sample.ids[0]}`,
    `/api/v1/children?q=${encodeURIComponent(sample.fullNames[0])}`,
    `/api/v1/children?q=${encodeURIComponent(sample.familyNames[0])}`,
  ]) {
    const [full, bare] = await Promise.all([get(cfg.apiPort, path), get(cfg.barePort, path)]);
    const ids = (x: { id?: string; data?: { id: string }[] }) => (x.data ? x.data.map((d) => d.id) : [x.id]);
    if (JSON.stringify(ids(full)) !== JSON.stringify(ids(bare))) {
      throw new Error(`full stack and bare server disagree on ${path}`);
    }
    if (ids(full).length === 0) throw new Error(`${path} found nothing`);
  }
  log('cross-check: both servers return the same children for a read and two searches');
}

/** EXPLAIN (ANALYZE, BUFFERS) of the captured statements, for a few samples, with their parameters filled. */
async function explain(sample: Sample): Promise<Record<string, string>> {
  const captured = (await (await fetch(`http://127.0.0.1:${cfg.barePort}/__captured`)).json()) as {
    read: { sql: string; slots: { kind: string; value?: unknown; index?: number }[]; main: boolean }[];
    /** Per number of words searched. */
    search: Record<
      string,
      { sql: string; slots: { kind: string; value?: unknown; index?: number }[]; main: boolean }[]
    >;
  };
  const out: Record<string, string> = {};
  const now = new Date();
  const fill = (slots: { kind: string; value?: unknown; index?: number }[], vars: Record<string, unknown>) =>
    slots.map((s) =>
      s.kind === 'const'
        ? s.value
        : s.kind === 'now'
          ? now
          : s.kind === 'word'
            ? wordsOf(String(vars.q))[s.index ?? 0]
            : vars[s.kind],
    );
  await withClient(dbUrl(cfg.db), async (c) => {
    const main = (list: typeof captured.read) => list.find((s) => s.main)!;
    const searchOf = (q: string) => {
      const list = captured.search[String(wordsOf(q).length)];
      return list ? main(list) : undefined;
    };
    const cases: [string, (typeof captured.read)[number] | undefined, Record<string, unknown>][] = [
      ['read', main(captured.read), { id: sample.ids[1], ids: [sample.ids[1]] }],
      ['search-name', searchOf(normaliseName(sample.fullNames[1])), { q: normaliseName(sample.fullNames[1]) }],
      ['search-surname', searchOf(normaliseName(sample.familyNames[1])), { q: normaliseName(sample.familyNames[1]) }],
      ['search-surname-common', searchOf('smith'), { q: 'smith' }],
    ];
    for (const [name, stmt, vars] of cases) {
      if (stmt === undefined) continue; // no search of that many words was run
      let plan = { rows: [] as { 'QUERY PLAN': string }[] };
      for (let i = 0; i < 2; i++) {
        // Twice: the first run in a fresh session pays for catalog look-ups; the second is the one shown.
        await c.query('BEGIN');
        await c.query(
          `SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('jit', 'off', true)`,
        );
        plan = await c.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, BUFFERS) ${stmt.sql}`,
          fill(stmt.slots, vars),
        );
        await c.query('ROLLBACK');
      }
      out[`${name} (${JSON.stringify(vars)})`] = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    }
  });
  return out;
}

function table(results: Measured[]): string {
  const rows = [['scenario', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'full/bare', 'failed', 'other CPU']];
  for (const r of results) {
    const bare = results.find((x) => x.scenario === r.scenario && x.target === 'bare');
    const ratio = r.target === 'full' && bare ? (r.reqPerSec / bare.reqPerSec).toFixed(2) : '';
    const other = `${r.cpu.otherCores}${r.quietBefore ? '' : ' (busy)'}`;
    const failed = String(r.non2xx + r.errors); // autocannon counts timeouts among errors
    rows.push([
      r.scenario,
      r.target,
      String(r.reqPerSec),
      String(r.p50),
      String(r.p95),
      String(r.p99),
      ratio,
      failed,
      other,
    ]);
  }
  return markdownTable(rows, false);
}

async function main(): Promise<void> {
  for (const s of cfg.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}`);
  const data = await ensureData();
  const counts = await withClient(dbUrl(cfg.db), async (c) => {
    const r = await c.query(
      `SELECT (SELECT count(*) FROM child)::int AS children, (SELECT count(*) FROM involvement)::int AS involvements,
              (SELECT count(*) FROM chronology_entry)::int AS chronology, (SELECT count(*) FROM audit_event)::int AS audit_events,
              pg_size_pretty(pg_database_size(current_database())) AS size, current_setting('server_version') AS pg,
              current_setting('shared_buffers') AS shared_buffers, current_setting('jit') AS jit`,
    );
    return r.rows[0] as Record<string, unknown>;
  });
  log(`data: ${JSON.stringify(counts)}`);

  await startServer('API', 'apps/api/src/main.js', cfg.apiPort, {
    NODE_ENV: 'production',
    DATA_ENCRYPTION_KEY: BENCH_DATA_KEY,
    JWT_SECRET: cfg.jwtSecret,
    // API_LOG_LEVEL=info measures the request log's cost (one line per request).
    LOG_LEVEL: env.API_LOG_LEVEL ?? 'warn',
    SEED_DEMO: 'false',
  });
  let token = await login();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { org: string };
  const sample = await pickSample(claims.org);
  await startServer('bare server', 'bench/bare-server.js', cfg.barePort, {
    BENCH_TOKEN: token,
    BENCH_SAMPLE_ID: sample.ids[0],
    BENCH_SAMPLE_Q: sample.fullNames[0],
  });
  await crossCheck(token, sample);

  const results: Measured[] = [];
  for (const scenario of cfg.scenarios) {
    const paths = SCENARIOS[scenario].paths(sample);
    token = await login(); // tokens live 15 minutes: a fresh one per scenario
    // Full stack then bare, back to back, so both see the same database state.
    results.push(await measure(scenario, 'full', cfg.apiPort, paths, token));
    results.push(await measure(scenario, 'bare', cfg.barePort, paths, token));
  }
  const plans = cfg.explain ? await explain(sample) : {};
  stopServers();

  const report = {
    at: new Date().toISOString(),
    config: { ...cfg, password: undefined, jwtSecret: undefined },
    machine: machine(),
    node: process.version,
    data: { ...counts, generatedSeconds: data.generatedSeconds },
    scenarios: Object.fromEntries(cfg.scenarios.map((s) => [s, SCENARIOS[s].title])),
    results,
    plans,
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `children-${cfg.n}-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nN=${cfg.n}, ${cfg.connections} connections, ${cfg.duration} s each (after ${cfg.warmup} s warm-up)`);
  console.log(table(results));
  for (const [name, plan] of Object.entries(plans)) console.log(`\nEXPLAIN ANALYZE ${name}\n${plan}`);
  console.log(`\nsaved ${file}`);
}

process.once('SIGINT', () => {
  stopServers();
  process.exit(130);
});
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  stopServers();
  process.exit(1);
});
