/**
 * The protection-status look-up benchmark (issue 15): `GET /api/v1/health/protection-status?nhsNumber=`
 * as a nurse sends it, through the full stack, beside the same statements sent through bare `pg`
 * in the same run, at 1, 4 and 32 connections.
 *
 *   npm run bench:lookup
 *
 * "The same statements": before timing, the runner boots the API's own modules in this process
 * (a Nest application context on the bench database, no HTTP) and runs the real HealthService
 * look-up once per scenario while recording every statement TypeORM sends (text, parameters and
 * the rows each answered): the plan search, the council's contact, the look-up row, the
 * notification, the event and outbox rows, the audit event and its chain, inside the service's
 * transaction. Bare `pg` replays that list per request: the NHS number, the time, the ids earlier
 * statements returned and the ids the service made itself are filled in afresh; everything else is
 * sent as captured. If the service changes its SQL, the replay follows.
 *
 * Scenarios: `plan` (a child on a child protection plan: the council is told, an event and a
 * notification are written) and `none` (a valid NHS number with no plan: the look-up is recorded).
 *
 * Environment: N (children, default 1000000), PLANS (children put on a plan, 20000), CONNECTIONS
 * (1,4,32), DURATION (15 s), WARMUP (3 s), SCENARIOS (plan,none), PG_URL, BENCH_DB (bench_lookup;
 * any bench database holding exactly N generated children will do, e.g. bench_oversight),
 * DB_POOL_MAX (10), API_PORT (3140).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Pool, type PoolClient } from 'pg';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { AbilityFactory, type AccessContext } from '@app/access';
import { validateIdentifier } from '@app/children';
import { HealthService } from '@app/health';
import { actorFromClaims, type TokenClaims } from '@app/identity';
import { loadConfig, ManualClock } from '@app/platform';
import { AppModule } from '../apps/api/src/app.module';
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
  n: int('N', 1_000_000),
  plans: int('PLANS', 20_000),
  connections: (env.CONNECTIONS ?? '1,4,32').split(',').map(Number),
  scenarios: (env.SCENARIOS ?? 'plan,none').split(','),
  duration: int('DURATION', 15),
  warmup: int('WARMUP', 3),
  pool: int('DB_POOL_MAX', 10),
  apiPort: int('API_PORT', 3140),
  pgUrl: (env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, ''),
  db: env.BENCH_DB ?? 'bench_lookup',
  jwtSecret: env.JWT_SECRET ?? 'bench-lookup-secret-0123456789abcdef0123456789',
  password: env.DEMO_PASSWORD ?? 'demo-password',
  nurse: 'nurse@northshire-nhs.example',
  purpose: 'direct_safeguarding' as const,
};
const dbUrl = () => `${cfg.pgUrl}/${cfg.db}`;
/** The plans the bench sets, told apart from the demo world's by their start date. */
const BENCH_PLAN_START = '2026-01-05';

// ---------- data ----------

/** Puts PLANS children with a valid NHS number on a Northshire child protection plan (once). */
async function preparePlans(c: import('pg').Client): Promise<{ plan: string[]; none: string[] }> {
  const council = (await c.query(`SELECT id FROM organisation WHERE code = 'NSC'`)).rows[0].id as string;
  const candidates = (
    await c.query(
      `SELECT c.nhs_number FROM child c
        WHERE c.nhs_number LIKE '9%' AND NOT c.restricted AND c.date_of_birth IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM agency_section s WHERE s.child_id = c.id AND s.plan_status IS NOT NULL
                            AND s.plan_start_date IS DISTINCT FROM $1::date)
        ORDER BY c.nhs_number LIMIT $2`,
      [BENCH_PLAN_START, cfg.plans * 30],
    )
  ).rows
    .map((r) => r.nhs_number as string)
    .filter((nhs) => validateIdentifier('nhs_number', nhs).valid);
  if (candidates.length < cfg.plans * 2) throw new Error(`only ${candidates.length} valid NHS numbers found`);
  const plan = candidates.filter((_, i) => i % 2 === 0).slice(0, cfg.plans);
  const none = candidates.filter((_, i) => i % 2 === 1).slice(0, cfg.plans);
  const started = Date.now();
  await c.query(
    `INSERT INTO agency_section (child_id, organisation_id, agency_type, plan_status, plan_start_date)
     SELECT c.id, $1, 'local_authority', 'child_protection_plan', $2::date FROM child c WHERE c.nhs_number = ANY($3)
     ON CONFLICT (child_id, organisation_id) DO UPDATE SET plan_status = EXCLUDED.plan_status,
       plan_start_date = EXCLUDED.plan_start_date`,
    [council, BENCH_PLAN_START, plan],
  );
  await c.query('ANALYZE agency_section');
  log(`${plan.length} children on a plan (${((Date.now() - started) / 1000).toFixed(1)} s), ${none.length} with none`);
  return { plan, none };
}

// ---------- capture and replay ----------

/** What a captured parameter becomes on each request. */
type Slot =
  | { kind: 'const'; value: unknown }
  | { kind: 'nhs' | 'now' | 'nowIso' }
  /** A value an earlier statement of the same request returned. */
  | { kind: 'ref'; statement: number; column: string }
  /** An id the service made itself: a fresh one per request (the same within it). */
  | { kind: 'fresh'; value: string }
  /** Text (JSON) that embeds request values: replaced inside the text. */
  | { kind: 'text'; value: string };

interface Statement {
  sql: string;
  slots: Slot[];
}

/** A scenario's captured statements, and the ids they returned (replaced wherever they reappear). */
interface Script {
  statements: Statement[];
  returned: { value: string; statement: number; column: string }[];
  nhs: string;
  now: Date;
}

interface Recorded {
  sql: string;
  params: unknown[];
  rows: Record<string, unknown>[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs the real look-up once, recording every statement the service sends. */
async function capture(
  service: HealthService,
  ctx: AccessContext,
  clock: ManualClock,
  nhs: string,
): Promise<{ recorded: Recorded[]; answer: unknown; now: Date }> {
  const recorded: Recorded[] = [];
  const original = PostgresQueryRunner.prototype.query;
  PostgresQueryRunner.prototype.query = async function (this: PostgresQueryRunner, sql, params, structured) {
    const result = await original.call(this, sql, params, structured);
    const rows = Array.isArray(result) ? result : ((result as { records?: unknown[] })?.records ?? []);
    recorded.push({ sql, params: Array.isArray(params) ? [...params] : [], rows: rows as Record<string, unknown>[] });
    return result;
  } as typeof original;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 123);
  clock.set(now);
  try {
    const answer = await service.lookUp(ctx, nhs);
    return { recorded, answer, now };
  } finally {
    PostgresQueryRunner.prototype.query = original;
  }
}

/** Each parameter of each statement, as what it must be on another request. */
function classify(recorded: Recorded[], nhs: string, now: Date, known: Set<string>): Script {
  const returned = new Map<string, { statement: number; column: string }>();
  const made = new Set<string>();
  const nowIso = now.toISOString();
  const statements = recorded.map((r, i): Statement => {
    const slots = r.params.map((p): Slot => {
      if (p === nhs) return { kind: 'nhs' };
      if (p instanceof Date && p.getTime() === now.getTime()) return { kind: 'now' };
      if (p === nowIso) return { kind: 'nowIso' };
      if (typeof p === 'string' && returned.has(p)) return { kind: 'ref', ...returned.get(p)! };
      if (typeof p === 'string' && UUID.test(p) && !known.has(p)) {
        made.add(p);
        return { kind: 'fresh', value: p };
      }
      if (
        typeof p === 'string' &&
        (p.includes(nhs) || p.includes(nowIso) || [...returned.keys()].some((v) => p.includes(v)))
      ) {
        return { kind: 'text', value: p };
      }
      return { kind: 'const', value: p };
    });
    for (const row of r.rows.slice(0, 1)) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string' && UUID.test(value) && !known.has(value) && !returned.has(value)) {
          returned.set(value, { statement: i, column });
        }
      }
    }
    return { sql: r.sql, slots };
  });
  // A made id that later shows up in text (an event's payload) is replaced there too.
  return {
    statements: statements.map((s) => ({
      ...s,
      slots: s.slots.map((slot): Slot =>
        slot.kind === 'const' &&
        typeof slot.value === 'string' &&
        [...made].some((m) => (slot.value as string).includes(m))
          ? { kind: 'text', value: slot.value }
          : slot,
      ),
    })),
    returned: [...returned].map(([value, at]) => ({ value, ...at })),
    nhs,
    now,
  };
}

/** Sends one request's statements on one client, in the order captured (the service's BEGIN/COMMIT included). */
async function replay(
  client: PoolClient,
  { statements, returned, nhs: capturedNhs, now: capturedNow }: Script,
  nhs: string,
) {
  const now = new Date();
  const rows: Record<string, unknown>[][] = [];
  const fresh = new Map<string, string>();
  const swaps: [string, string][] = [
    [capturedNhs, nhs],
    [capturedNow.toISOString(), now.toISOString()],
  ];
  const freshFor = (id: string) => {
    if (!fresh.has(id)) {
      fresh.set(id, randomUUID());
      swaps.push([id, fresh.get(id)!]);
    }
    return fresh.get(id)!;
  };
  for (const [i, s] of statements.entries()) {
    const values = s.slots.map((slot) => {
      switch (slot.kind) {
        case 'const':
          return slot.value;
        case 'nhs':
          return nhs;
        case 'now':
          return now;
        case 'nowIso':
          return now.toISOString();
        case 'ref': {
          const v = rows[slot.statement]?.[0]?.[slot.column];
          return v;
        }
        case 'fresh':
          return freshFor(slot.value);
        case 'text':
          return swaps.reduce((text, [from, to]) => text.split(from).join(to), slot.value);
      }
    });
    const result = await client.query(s.sql, values);
    rows[i] = result.rows;
    // Ids this statement returned replace the captured ones inside later text.
    for (const r of returned.filter((x) => x.statement === i)) {
      swaps.push([r.value, String(result.rows[0]?.[r.column])]);
    }
  }
  return rows;
}

// ---------- the run ----------

async function main(): Promise<void> {
  assertBenchDb(cfg.db);
  const ready =
    (await databaseExists(cfg.pgUrl, cfg.db)) &&
    (await withClient(dbUrl(), async (c) => (await generatedCount(c)) === cfg.n));
  if (!ready) {
    await recreateSeeded(cfg.pgUrl, cfg.db);
    await withClient(dbUrl(), async (c) => {
      await generate(c, cfg.n, (m) => log(m));
      await markGenerated(c, cfg.n);
    });
  }
  const sample = await withClient(dbUrl(), preparePlans);

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
  const token = await login(cfg.apiPort, cfg.nurse, cfg.password);
  const headers = { authorization: `Bearer ${token}`, 'x-purpose-of-use': cfg.purpose };
  const path = (nhs: string) => `/api/v1/health/protection-status?nhsNumber=${nhs}`;
  const ask = async (nhs: string) => {
    const res = await fetch(`http://127.0.0.1:${cfg.apiPort}${path(nhs)}`, { headers });
    const body = (await res.json()) as { status?: string; council?: { id?: string } | null };
    if (res.status !== 200) throw new Error(`look-up answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  };

  // The service's own statements, recorded from the real HealthService in this process.
  const clock = new ManualClock(new Date());
  const app = await NestFactory.createApplicationContext(
    AppModule.register({
      config: loadConfig({
        ...env,
        JWT_SECRET: cfg.jwtSecret,
        DATA_ENCRYPTION_KEY: BENCH_DATA_KEY,
        LOG_LEVEL: 'warn',
        SEED_DEMO: 'false',
      }),
      databaseUrl: dbUrl(),
      clock,
    }),
    { logger: false },
  );
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as TokenClaims;
  const actor = actorFromClaims(claims);
  const ctx: AccessContext = {
    actor,
    ability: new AbilityFactory().for(actor),
    purpose: cfg.purpose,
    requestId: randomUUID(),
    clientIp: '127.0.0.1',
  };
  const known = await withClient(dbUrl(), async (c) => {
    const ids = await c.query(
      `SELECT id::text FROM organisation UNION ALL SELECT id::text FROM app_user UNION ALL SELECT id::text FROM team`,
    );
    return new Set<string>([...ids.rows.map((r) => r.id as string), actor.id, actor.organisationId]);
  });
  const service = app.get(HealthService, { strict: false });
  const scripts: Record<string, Script> = {};
  for (const [name, list] of [
    ['plan', sample.plan],
    ['none', sample.none],
  ] as const) {
    const nhs = list[list.length - 1]!;
    const { recorded, now } = await capture(service, ctx, clock, nhs);
    scripts[name] = classify(recorded, nhs, now, known);
    log(`${name}: the service sent ${recorded.length} statements`);
  }
  await app.close();

  const pool = new Pool({
    connectionString: dbUrl(),
    max: Math.max(...cfg.connections),
    application_name: 'bench-bare',
  });
  const bare = async (name: string, nhs: string) => {
    const script = scripts[name]!;
    const client = await pool.connect();
    try {
      return await replay(client, script, nhs);
    } finally {
      client.release();
    }
  };
  // Both answer the same: the API's status and council, and the replay's plan search and look-up row.
  for (const [name, list] of [
    ['plan', sample.plan],
    ['none', sample.none],
  ] as const) {
    const api = await ask(list[0]!);
    const rows = await bare(name, list[1]!);
    const plans =
      rows.find((r, i) => /FROM "?child"? c/.test(scripts[name]!.statements[i]!.sql) && r !== undefined) ?? [];
    const expected = name === 'plan' ? 'CHILD_PROTECTION_PLAN' : 'NONE_KNOWN';
    if (api.status !== expected || (name === 'plan') !== plans.length > 0) {
      throw new Error(`${name}: the API answered ${api.status}, the replay found ${plans.length} plans`);
    }
    log(`${name}: API (${api.status}) and bare pg (${plans.length} plan rows) agree`);
  }

  const rowsOut: Record<string, unknown>[] = [];
  for (const name of cfg.scenarios) {
    const list = name === 'plan' ? sample.plan : sample.none;
    for (const connections of cfg.connections) {
      const requests = Array.from({ length: 2000 }, (_, i) => ({
        method: 'GET' as const,
        path: path(list[(i * 7919) % list.length]!),
      }));
      await loadRun({ port: cfg.apiPort, connections, seconds: cfg.warmup, headers, requests });
      const { result, latencies } = await loadRun({
        port: cfg.apiPort,
        connections,
        seconds: cfg.duration,
        headers,
        requests,
      });
      const api = loadFigures(result, latencies, cfg.duration);
      const times: number[] = [];
      const until = Date.now() + cfg.duration * 1000;
      let k = 0;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (Date.now() < until) {
            const nhs = list[(k++ * 7919) % list.length]!;
            const t0 = performance.now();
            await bare(name, nhs);
            times.push(performance.now() - t0);
          }
        }),
      );
      const sorted = Float64Array.from(times).sort();
      const barePg = {
        perSec: round(times.length / cfg.duration),
        p50: round(quantile(sorted, 0.5)),
        p95: round(quantile(sorted, 0.95)),
      };
      const row = {
        scenario: name,
        connections,
        api,
        barePg,
        ratio: round(api.reqPerSec / barePg.perSec),
      };
      log(JSON.stringify(row));
      rowsOut.push(row);
    }
  }
  await pool.end();
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `lookup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ config: { ...cfg, password: undefined }, machine: machine(), rows: rowsOut }, null, 2),
  );
  log(`wrote ${file}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopServers());
