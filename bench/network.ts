/**
 * The police network benchmark (issue 14): `GET /police/network?childId=&depth=2`,
 * `GET /police/problem-profiles` and `?degree=2` through the full stack, beside the same statements
 * (NETWORK_NODES_SQL + NETWORK_EDGES_SQL, PROBLEM_PROFILES_SQL, PROBLEM_PROFILES_DEGREE_SQL from
 * @app/police) sent through bare
 * `pg` in the same run, at 1, 4 and 32 connections.
 *
 *   npm run bench:network
 *
 * Environment: N (children, default 200000), LINKS (1000000), CONNECTIONS (1,4,32), DURATION (15 s),
 * WARMUP (3 s), SCENARIOS (network,profiles,profiles2), PG_URL, BENCH_DB (bench_network), DB_POOL_MAX (10), API_PORT (3120), RESEED=1 to
 * rebuild the data. Northshire Police records the links: persons (N/4), vehicles (N/10) and
 * locations (N/10); about 80% of the links join a child to one of them, the rest a person to a
 * vehicle or location. Start children are ones Northshire Police works with.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { NETWORK_EDGES_SQL, NETWORK_NODES_SQL, PROBLEM_PROFILES_DEGREE_SQL, PROBLEM_PROFILES_SQL } from '@app/police';
import {
  BENCH_DATA_KEY,
  assertBenchDb,
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
  round,
  startServer,
  stopServers,
  withClient,
} from './common';
import { generate, generatedCount, markGenerated } from './data';

const env = process.env;
const cfg = {
  n: int('N', 200_000),
  links: int('LINKS', 1_000_000),
  connections: (env.CONNECTIONS ?? '1,4,32').split(',').map(Number),
  scenarios: (env.SCENARIOS ?? 'network,profiles,profiles2').split(','),
  duration: int('DURATION', 15),
  warmup: int('WARMUP', 3),
  pool: int('DB_POOL_MAX', 10),
  apiPort: int('API_PORT', 3120),
  pgUrl: (env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, ''),
  db: env.BENCH_DB ?? 'bench_network',
  jwtSecret: env.JWT_SECRET ?? 'bench-only-secret-0123456789abcdef0123456789',
  password: env.DEMO_PASSWORD ?? 'demo-password',
  analyst: 'analyst@northshire-police.example',
};
const dbUrl = () => `${cfg.pgUrl}/${cfg.db}`;

/** TypeORM-style `:name` parameters to `$n` (what the service's driver does), for bare pg. */
function positional(sql: string, params: Record<string, unknown>): [string, unknown[]] {
  const values: unknown[] = [];
  const index = new Map<string, number>();
  const text = sql.replace(/(?<!:):([a-zA-Z_]\w*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no parameter ${name}`);
    if (!index.has(name)) {
      values.push(params[name]);
      index.set(name, values.length);
    }
    return `$${index.get(name)}`;
  });
  return [text, values];
}

/** The police_link indexes that are not constraints: dropped for the load and built once after it. */
const LINK_INDEXES = ['ix_police_link_a', 'ix_police_link_b', 'ix_police_link_org_child'];

async function generatePolice(c: import('pg').Client): Promise<void> {
  // Generated once per database, in one transaction (a run stopped half-way leaves nothing). Duplicate
  // pairs are skipped, so the count of links may fall a little short of LINKS; the demo world has links
  // of its own. RESEED=1 to rebuild.
  const have = await c.query("SELECT count(*)::int AS n FROM police_person WHERE name_key = 'person p1'");
  if (have.rows[0].n > 0) return;
  const started = Date.now();
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const t0 = Date.now();
    const r = await c.query(sql, params);
    const rows = typeof r.rowCount === 'number' && /^\s*INSERT/.test(sql) ? ` (${r.rowCount} rows)` : '';
    log(`police: ${label}${rows} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  };
  const org = (await c.query("SELECT id FROM organisation WHERE code = 'NSP'")).rows[0].id as string;
  const user = (await c.query('SELECT id FROM app_user WHERE email = $1', [cfg.analyst])).rows[0].id as string;
  const persons = Math.max(10, Math.floor(cfg.n / 4));
  const vehicles = Math.max(10, Math.floor(cfg.n / 10));
  const locations = Math.max(10, Math.floor(cfg.n / 10));
  log(`police data: ${persons} persons, ${vehicles} vehicles, ${locations} locations, ${cfg.links} links`);
  await c.query('BEGIN');
  // Bulk-load settings for this transaction: no FK or row triggers (the data is consistent by
  // construction; the name index the involvement trigger keeps is filled below), no WAL flush wait,
  // memory for the index builds.
  await c.query('SET LOCAL session_replication_role = replica');
  await c.query('SET LOCAL synchronous_commit = off');
  await c.query("SET LOCAL maintenance_work_mem = '512MB'");
  const defs = (
    await c.query<{ name: string; def: string }>(
      "SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'police_link' AND indexname = ANY($1)",
      [LINK_INDEXES],
    )
  ).rows;
  for (const ix of defs) await c.query(`DROP INDEX "${ix.name}"`);
  await step(
    'persons',
    `INSERT INTO police_person (organisation_id, given_name, family_name, name_key, date_of_birth, created_by)
     SELECT $1, 'Person', 'P' || g, 'person p' || g, DATE '1980-01-01' + (g % 7000), $2 FROM generate_series(1, $3) g`,
    [org, user, persons],
  );
  await step(
    'vehicles',
    `INSERT INTO police_vehicle (organisation_id, vrm, created_by)
     SELECT $1, 'B' || lpad(g::text, 7, '0'), $2 FROM generate_series(1, $3) g`,
    [org, user, vehicles],
  );
  await step(
    'locations',
    `INSERT INTO police_location (organisation_id, address, postcode, address_key, hotspot, created_by)
     SELECT $1, g || ' Bench Street', 'NT1 1AA', g || ' bench street|NT11AA', g % 10 = 0, $2 FROM generate_series(1, $3) g`,
    [org, user, locations],
  );
  // Numbered copies of the ids (k = 1..count), keyed and analysed, so each draw below is a hash join.
  await c.query('CREATE TEMP TABLE kids ON COMMIT DROP AS SELECT row_number() OVER () AS k, id FROM child');
  for (const [kind, table] of [
    ['person', 'police_person'],
    ['vehicle', 'police_vehicle'],
    ['location', 'police_location'],
  ] as const) {
    await c.query(`CREATE TEMP TABLE n_${kind} ON COMMIT DROP AS SELECT row_number() OVER () AS k, id FROM ${table}`);
    await c.query(`ALTER TABLE n_${kind} ADD PRIMARY KEY (k)`);
    await c.query(`ANALYZE n_${kind}`);
  }
  await c.query('ALTER TABLE kids ADD PRIMARY KEY (k)');
  await c.query('ANALYZE kids');
  const kids = (await c.query('SELECT count(*)::int AS n FROM kids')).rows[0].n as number;
  const childLinks = Math.floor(cfg.links * 0.8);
  const third = Math.floor(childLinks / 3);
  for (const [kind, count, size] of [
    ['person', third, persons],
    ['vehicle', third, vehicles],
    ['location', childLinks - 2 * third, locations],
  ] as const) {
    await step(
      `child -> ${kind} links`,
      `INSERT INTO police_link (organisation_id, a_kind, a_id, b_kind, b_id, source_kind, linked_on, confidence, created_by)
       SELECT $1, 'child', k.id, $2, n.id, 'intelligence', DATE '2026-01-01', 'medium', $3
         FROM generate_series(1, $4) g
         JOIN kids k ON k.k = 1 + (hashint4(g) & 2147483647) % $5
         JOIN n_${kind} n ON n.k = 1 + (hashint4(g + 7919) & 2147483647) % $6
       ON CONFLICT DO NOTHING`,
      [org, kind, user, count, kids, size],
    );
  }
  const rest = cfg.links - childLinks;
  for (const kind of ['vehicle', 'location'] as const) {
    await step(
      `person -> ${kind} links`,
      `INSERT INTO police_link (organisation_id, a_kind, a_id, b_kind, b_id, source_kind, linked_on, confidence, created_by)
       SELECT $1, 'person', p.id, $2, n.id, 'intelligence', DATE '2026-01-01', 'medium', $3
         FROM generate_series(1, $4) g
         JOIN n_person p ON p.k = 1 + (hashint4(g + 31) & 2147483647) % $5
         JOIN n_${kind} n ON n.k = 1 + (hashint4(g + 104729) & 2147483647) % $6
       ON CONFLICT DO NOTHING`,
      [org, kind, user, Math.floor(rest / 2), persons, kind === 'vehicle' ? vehicles : locations],
    );
  }
  for (const ix of defs) await step(`rebuilt ${ix.name}`, ix.def);
  // Northshire Police works with every linked child now (so the API may start from it: a child whose
  // only involvement of the force has ended is 404 to it), and the name
  // index the involvement trigger would have kept (triggers are off for the load).
  await step(
    'involvements',
    `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason, created_by, created_at)
     SELECT l.a_id, $1::uuid, 'contributing', 'statutory', now() - interval '1 day', 'bench', $2::uuid, now()
       FROM (SELECT DISTINCT a_id FROM police_link WHERE a_kind = 'child' AND organisation_id = $1::uuid) l
      WHERE NOT EXISTS (SELECT 1 FROM involvement i WHERE i.child_id = l.a_id AND i.organisation_id = $1::uuid
                          AND i.from_at <= now() AND (i.until_at IS NULL OR i.until_at > now()))`,
    [org, user],
  );
  await step(
    'name index',
    `INSERT INTO child_search (involvement_id, child_id, organisation_id, from_at, until_at, restricted, search_name)
     SELECT i.id, i.child_id, i.organisation_id, i.from_at, i.until_at, c.restricted, c.search_name
       FROM involvement i JOIN child c ON c.id = i.child_id
      WHERE i.organisation_id = $1::uuid AND NOT EXISTS (SELECT 1 FROM child_search s WHERE s.involvement_id = i.id)`,
    [org],
  );
  await c.query('COMMIT');
  await step(
    'ANALYZE',
    'ANALYZE police_link; ANALYZE police_person; ANALYZE police_vehicle; ANALYZE police_location; ANALYZE involvement; ANALYZE child_search',
  );
  const [{ n }] = (await c.query('SELECT count(*)::int AS n FROM police_link')).rows;
  log(`police data: ${n} links in all, generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  assertBenchDb(cfg.db);
  if (env.RESEED === '1' || !(await databaseExists(cfg.pgUrl, cfg.db))) await recreateSeeded(cfg.pgUrl, cfg.db);
  await withClient(dbUrl(), async (c) => {
    if (((await generatedCount(c)) ?? 0) < cfg.n) {
      await generate(c, cfg.n, (m) => log(m));
      await markGenerated(c, cfg.n);
    }
    await generatePolice(c);
  });
  const sample = await withClient(dbUrl(), async (c) => {
    const r = await c.query(
      // Children the analyst may start from: linked, and not restricted (a restricted child is 404 to the force).
      `SELECT DISTINCT l.a_id AS id FROM police_link l JOIN child c ON c.id = l.a_id AND NOT c.restricted
        WHERE l.a_kind = 'child' ORDER BY l.a_id LIMIT 2000`,
    );
    const actor = (await c.query(`SELECT u.id, u.organisation_id FROM app_user u WHERE u.email = $1`, [cfg.analyst]))
      .rows[0];
    return { ids: r.rows.map((x) => x.id as string), user: actor.id as string, org: actor.organisation_id as string };
  });
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
  const token = await login(cfg.apiPort, cfg.analyst, cfg.password);
  const headers = { authorization: `Bearer ${token}` };
  const probe = await fetch(`http://127.0.0.1:${cfg.apiPort}/api/v1/police/network?childId=${sample.ids[0]}&depth=2`, {
    headers,
  });
  const body = (await probe.json()) as { nodes?: unknown[]; edges?: unknown[] };
  if (probe.status !== 200) throw new Error(`network answered ${probe.status}: ${JSON.stringify(body)}`);
  log(`network probe: ${body.nodes?.length} nodes, ${body.edges?.length} edges at depth 2`);

  // JIT off, as the service sets it for these statements (police.service.ts, noJit).
  const pool = new Pool({ connectionString: dbUrl(), max: Math.max(...cfg.connections), options: '-c jit=off' });
  const bare = {
    network: async (i: number) => {
      const p = {
        start: sample.ids[i % sample.ids.length],
        startKind: 'child',
        org: sample.org,
        user: sample.user,
        now: new Date(),
        depth: 2,
        cap: 5001,
      };
      const nodes = await pool.query(...positional(NETWORK_NODES_SQL, p));
      await pool.query(...positional(NETWORK_EDGES_SQL, { org: sample.org, ids: nodes.rows.map((r) => r.id) }));
    },
    profiles: async () => {
      await pool.query(...positional(PROBLEM_PROFILES_SQL, { org: sample.org, k: 3, limit: 50, now: new Date() }));
    },
    profiles2: async () => {
      await pool.query(
        ...positional(PROBLEM_PROFILES_DEGREE_SQL, { org: sample.org, k: 3, limit: 50, now: new Date(), degree: 2 }),
      );
    },
  };
  const scenarios = {
    network: { path: (i: number) => `/api/v1/police/network?childId=${sample.ids[i % sample.ids.length]}&depth=2` },
    profiles: { path: () => '/api/v1/police/problem-profiles' },
    profiles2: { path: () => '/api/v1/police/problem-profiles?degree=2' },
  } as const;

  const rows: Record<string, unknown>[] = [];
  // The API and bare pg must answer the same: one network and the profiles, compared before timing.
  const same = async (label: string, api: string, bareIds: string[]) => {
    const res = await fetch(`http://127.0.0.1:${cfg.apiPort}${api}`, { headers });
    const got = (await res.json()) as { nodes?: { id: string }[]; data?: { nodeId: string }[] };
    const ids = (got.nodes?.map((n) => n.id) ?? got.data?.map((d) => d.nodeId) ?? []).sort();
    if (res.status !== 200 || JSON.stringify(ids) !== JSON.stringify([...bareIds].sort()))
      throw new Error(`${label}: the API (${res.status}, ${ids.length}) and bare pg (${bareIds.length}) disagree`);
    log(`${label}: API and bare pg agree (${ids.length})`);
  };
  const bareNodes = await pool.query(
    ...positional(NETWORK_NODES_SQL, {
      start: sample.ids[0],
      startKind: 'child',
      org: sample.org,
      user: sample.user,
      now: new Date(),
      depth: 2,
      cap: 5001,
    }),
  );
  await same(
    'network',
    `/api/v1/police/network?childId=${sample.ids[0]}&depth=2`,
    bareNodes.rows.map((r) => r.id as string),
  );
  for (const degree of [1, 2]) {
    const sql = degree === 1 ? PROBLEM_PROFILES_SQL : PROBLEM_PROFILES_DEGREE_SQL;
    const rows = await pool.query(
      ...positional(sql, { org: sample.org, k: 3, limit: 50, now: new Date(), ...(degree === 2 ? { degree } : {}) }),
    );
    await same(
      `profiles degree ${degree}`,
      `/api/v1/police/problem-profiles?degree=${degree}`,
      rows.rows.map((r) => r.nodeId as string),
    );
  }

  for (const [name, s] of (
    Object.entries(scenarios) as [keyof typeof scenarios, (typeof scenarios)[keyof typeof scenarios]][]
  ).filter(([name]) => cfg.scenarios.includes(name))) {
    for (const connections of cfg.connections) {
      const requests = Array.from({ length: 500 }, (_, i) => ({ method: 'GET' as const, path: s.path(i) }));
      await loadRun({ port: cfg.apiPort, connections, seconds: cfg.warmup, headers, requests });
      const { result, latencies } = await loadRun({
        port: cfg.apiPort,
        connections,
        seconds: cfg.duration,
        headers,
        requests,
      });
      const api = loadFigures(result, latencies, cfg.duration);
      // The same statements through bare pg, same concurrency and duration.
      const times: number[] = [];
      const until = Date.now() + cfg.duration * 1000;
      let n = 0;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (Date.now() < until) {
            const t0 = performance.now();
            await bare[name](n++);
            times.push(performance.now() - t0);
          }
        }),
      );
      const sorted = Float64Array.from(times).sort();
      const row = {
        scenario: name,
        connections,
        api: {
          reqPerSec: api.reqPerSec,
          p50: api.p50,
          p95: api.p95,
          p99: api.p99,
          non2xx: api.non2xx,
          errors: api.errors,
        },
        barePg: {
          perSec: round(times.length / cfg.duration),
          p50: round(quantile(sorted, 0.5)),
          p95: round(quantile(sorted, 0.95)),
        },
      };
      log(JSON.stringify(row));
      rows.push(row);
    }
  }
  await pool.end();
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, `network-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify(
      { config: { ...cfg, password: undefined, jwtSecret: undefined }, machine: machine(), rows },
      null,
      2,
    ),
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopServers());
