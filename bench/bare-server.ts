/**
 * The ceiling for the full-stack numbers: a bare `node:http` server with a `pg` Pool that sends,
 * per request, exactly the statements the real ChildrenService sends for `get` and `search`,
 * with no Nest, Express, TypeORM, passport or validation on the way.
 *
 * "Exactly": at start-up it runs the real ChildrenService (from dist/) once for a sample child
 * and a sample name, against a recording EntityManager, and keeps the SQL text and the parameter
 * list it produced. Each parameter is classified (the child id, "now", the search text, the
 * request id, the ids a search returned, ...) and filled in per request; everything else stays as
 * captured. Statements the service runs in `db.transaction()` are replayed between BEGIN and
 * COMMIT; those it sends on their own through `Statements` are replayed on their own, prepared
 * under the same name. If the service changes its SQL, this server follows.
 *
 * The actor is the one in BENCH_TOKEN (the same user the full-stack run logs in as); the token is
 * read, not verified, and requests' Authorization headers are ignored.
 *
 *   DATABASE_URL=... BENCH_TOKEN=... BENCH_SAMPLE_ID=<uuid> BENCH_SAMPLE_Q=<name> PORT=3101 \
 *     node scripts/run.js bench/bare-server.js
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import { AbilityFactory, type AccessContext, defaultPurpose } from '@app/access';
import { ChildrenService, normaliseName, wordsOf } from '@app/children';
import { actorFromClaims, type TokenClaims } from '@app/identity';
import { buildDataSourceOptions, Clock, SERVER_VERSION_SQL } from '@app/platform';
import { SCHEMA } from '../migrations/schema';

/** What a captured parameter becomes on each request. */
type Slot =
  | { kind: 'const'; value: unknown }
  | { kind: 'id' | 'ids' | 'now' | 'requestId' | 'clientIp' | 'q' | 'resultIds' | 'outcome' }
  | { kind: 'details'; value: Record<string, unknown> }
  | { kind: 'word'; index: number };

interface Statement {
  sql: string;
  slots: Slot[];
  /** Sent inside the service's `db.transaction()`, or on its own (autocommit). */
  tx: boolean;
  /** The prepared statement's name, when the service sends it prepared. */
  name?: string;
  /** The statement whose rows the service answers with (the child select). */
  main: boolean;
}

interface Vars {
  id?: string;
  q?: string;
  words?: string[];
  now: Date;
  requestId: string;
  clientIp: string | null;
  resultIds: string[];
  outcome: 'allowed' | 'not_found';
}

/** The service's default page size (ChildSearchQuery.limit). */
const PAGE = 25;
const CAPTURE_REQUEST_ID = 'bench-capture-request-id';
const CAPTURE_IP = '203.0.113.7';

class FixedClock extends Clock {
  constructor(private readonly at: Date) {
    super();
  }
  override now(): Date {
    return new Date(this.at.getTime());
  }
}

interface Recorded {
  sql: string;
  values: unknown[];
  rows: Record<string, unknown>[];
  tx: boolean;
  name?: string;
}

/**
 * Runs `use` against the real service with a manager (for `db.transaction()`) and a pool (for
 * `Statements`) that record every statement, then rolls everything back.
 */
async function record(
  pool: Pool,
  driver: DataSource['driver'],
  now: Date,
  use: (service: ChildrenService) => Promise<unknown>,
): Promise<Recorded[]> {
  const calls: Recorded[] = [];
  const client = await pool.connect();
  let inTx = false;
  const run = async (sql: string, values: unknown[], name?: string): Promise<Record<string, unknown>[]> => {
    const rows = (await client.query(sql, values)).rows as Record<string, unknown>[];
    calls.push({ sql, values, rows, tx: inTx, name });
    return rows;
  };
  const manager = { connection: { driver }, query: (sql: string, values: unknown[] = []) => run(sql, values) };
  const recordingPool = {
    query: async (config: string | QueryConfig) => {
      const c = typeof config === 'string' ? { text: config, values: [] } : config;
      // Statements asks once whether the server takes prepared statements: not part of a request.
      if (c.text === SERVER_VERSION_SQL) return client.query(c.text);
      return { rows: await run(c.text, c.values ?? [], c.name) };
    },
  };
  const db = {
    driver: Object.assign(Object.create(driver) as object, { master: recordingPool }),
    transaction: async <T>(work: (tx: typeof manager) => Promise<T>): Promise<T> => {
      inTx = true;
      try {
        return await work(manager);
      } finally {
        inTx = false;
      }
    },
  } as unknown as DataSource;
  await client.query('BEGIN');
  try {
    await use(
      instantiate(
        ChildrenService,
        new Map<unknown, unknown>([
          [DataSource, db],
          [Clock, new FixedClock(now)],
        ]),
      ),
    );
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  return calls;
}

type Class<T> = new (...args: any[]) => T;

/**
 * Builds a service as Nest would, from its constructor's parameter types (decorator metadata):
 * the given instances for DataSource and Clock, other services built the same way, recursively,
 * so the bench follows the service's constructor as it changes. A dependency that cannot be built
 * (an injection token) becomes a stand-in that fails loudly if `get` or `search` ever uses it.
 */
function instantiate<T>(type: Class<T>, given: Map<unknown, unknown>): T {
  const params = (Reflect.getMetadata('design:paramtypes', type) ?? []) as unknown[];
  const args = params.map((param) => {
    if (given.has(param)) return given.get(param);
    if (typeof param === 'function' && param !== Object && param.prototype !== undefined) {
      const built = instantiate(param as Class<unknown>, given);
      given.set(param, built);
      return built;
    }
    return new Proxy(
      {},
      {
        get: (_, key) => {
          throw new Error(`bench: ${type.name} used an injected value the bare server cannot build (${String(key)})`);
        },
      },
    );
  });
  return new type(...args);
}

function classify(calls: Recorded[], known: { id?: string; q?: string; now: Date }): Statement[] {
  const words = known.q !== undefined ? wordsOf(known.q) : [];
  const mainIndex = calls.findIndex((c) => /\bFROM child c\b/.test(c.sql) && c.rows.length > 0);
  if (mainIndex < 0) throw new Error('capture: no child select returned rows (is the sample visible to the actor?)');
  const resultIds = calls[mainIndex].rows.slice(0, PAGE).map((r) => r.id as string);
  return calls.map((call, i) => {
    const audit = /INSERT INTO audit_event/.test(call.sql);
    const slots = call.values.map((value): Slot => {
      if (value instanceof Date) {
        if (value.getTime() !== known.now.getTime()) throw new Error('capture: a time that is not the clock');
        return { kind: 'now' };
      }
      if (known.id !== undefined && value === known.id) return { kind: 'id' };
      if (known.id !== undefined && isDeepStrictEqual(value, [known.id])) return { kind: 'ids' };
      if (known.q !== undefined && value === known.q) return { kind: 'q' };
      if (typeof value === 'string' && words.includes(value)) return { kind: 'word', index: words.indexOf(value) };
      if (value === CAPTURE_REQUEST_ID) return { kind: 'requestId' };
      if (value === CAPTURE_IP) return { kind: 'clientIp' };
      if (audit && known.q !== undefined && isDeepStrictEqual(value, resultIds)) return { kind: 'resultIds' };
      if (audit && value === 'allowed') return { kind: 'outcome' };
      if (audit && known.q !== undefined && typeof value === 'string' && value.includes('"count"')) {
        return { kind: 'details', value: JSON.parse(value) as Record<string, unknown> };
      }
      return { kind: 'const', value };
    });
    return { sql: call.sql, slots, main: i === mainIndex, tx: call.tx, name: call.name };
  });
}

function fill(slots: Slot[], v: Vars): unknown[] {
  return slots.map((slot) => {
    switch (slot.kind) {
      case 'const':
        return slot.value;
      case 'id':
        return v.id;
      case 'ids':
        return [v.id];
      case 'now':
        return v.now;
      case 'q':
        return v.q;
      case 'requestId':
        return v.requestId;
      case 'clientIp':
        return v.clientIp;
      case 'resultIds':
        return v.resultIds;
      case 'outcome':
        return v.outcome;
      case 'details':
        return JSON.stringify({ ...slot.value, count: v.resultIds.length });
      case 'word':
        return v.words?.[slot.index];
    }
  });
}

/**
 * One request's statements as the service sends them: those it ran in `db.transaction()` between
 * BEGIN and COMMIT, the others on their own (prepared when the service prepared them). The main
 * statement's rows come back.
 */
async function replay(pool: Pool, statements: Statement[], v: Vars): Promise<Record<string, unknown>[]> {
  const client: PoolClient = await pool.connect();
  let rows: Record<string, unknown>[] = [];
  let open = false;
  try {
    for (const s of statements) {
      if (s.tx && !open) await client.query('BEGIN');
      if (!s.tx && open) await client.query('COMMIT');
      open = s.tx;
      const result = await client.query({ name: s.name, text: s.sql, values: fill(s.slots, v) });
      if (s.main) {
        rows = result.rows as Record<string, unknown>[];
        v.resultIds = rows.slice(0, PAGE).map((r) => r.id as string);
        if (rows.length === 0) v.outcome = 'not_found';
      }
    }
    if (open) await client.query('COMMIT');
    client.release();
    return rows;
  } catch (err) {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    client.release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const token = process.env.BENCH_TOKEN;
  const sampleId = process.env.BENCH_SAMPLE_ID;
  const sampleQ = process.env.BENCH_SAMPLE_Q;
  if (!url || !token || !sampleId || !sampleQ) {
    throw new Error('DATABASE_URL, BENCH_TOKEN, BENCH_SAMPLE_ID and BENCH_SAMPLE_Q are required');
  }
  const port = Number(process.env.PORT ?? 3101);
  const pool = new Pool({
    connectionString: url,
    max: Number(process.env.DB_POOL_MAX ?? 10),
    application_name: 'bench-bare',
  });
  // Only for its escapeQueryWithParameters (TypeORM's named parameters): never initialised.
  const driver = new DataSource(buildDataSourceOptions(url, SCHEMA)).driver;

  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as TokenClaims;
  const actor = actorFromClaims(claims);
  const ctx: AccessContext = {
    actor,
    ability: new AbilityFactory().for(actor),
    purpose: defaultPurpose(actor),
    requestId: CAPTURE_REQUEST_ID,
    clientIp: CAPTURE_IP,
  };
  const now = new Date();
  const read = classify(await record(pool, driver, now, (s) => s.get(ctx, sampleId)), { id: sampleId, now });
  // A name search's statement has one condition per word typed: captured once per word count,
  // from the first request with that many words.
  const searches = new Map<number, Promise<Statement[]>>();
  const searchFor = (text: string): Promise<Statement[]> => {
    const normalised = normaliseName(text);
    const count = wordsOf(normalised).length;
    let statements = searches.get(count);
    if (statements === undefined) {
      const at = new Date();
      statements = record(pool, driver, at, (s) => s.search(ctx, { q: text })).then((calls) =>
        classify(calls, { q: normalised, now: at }),
      );
      searches.set(count, statements);
    }
    return statements;
  };
  const search = await searchFor(sampleQ);
  if (!read.some((s) => s.slots.some((x) => x.kind === 'id'))) throw new Error('capture: the read takes no child id');
  if (!search.some((s) => s.slots.some((x) => x.kind === 'q'))) throw new Error('capture: the search takes no text');
  /** What was captured so far: the read, and the search per number of words. */
  const captured = async () => ({
    read,
    search: Object.fromEntries(await Promise.all([...searches].map(async ([n, list]) => [n, await list] as const))),
    actor,
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const v: Vars = {
      now: new Date(),
      requestId: randomUUID(),
      clientIp: req.socket.remoteAddress ?? null,
      resultIds: [],
      outcome: 'allowed',
    };
    let work: Promise<void>;
    if (path === '/health') {
      send(res, 200, { status: 'ok' });
      return;
    } else if (path === '/__captured') {
      void captured().then((body) => send(res, 200, body));
      return;
    } else if (path.startsWith('/api/v1/children?')) {
      const text = new URLSearchParams(path.slice(path.indexOf('?') + 1)).get('q') ?? '';
      v.q = normaliseName(text);
      v.words = wordsOf(v.q);
      work = searchFor(text)
        .then((statements) => replay(pool, statements, v))
        .then((rows) => send(res, 200, { data: rows.slice(0, PAGE), nextCursor: rows.length > PAGE ? 'more' : null }));
    } else if (path.startsWith('/api/v1/children/')) {
      v.id = path.slice('/api/v1/children/'.length);
      work = replay(pool, read, v).then((rows) =>
        rows.length
          ? send(res, 200, rows[0], { etag: `"${String(rows[0].version)}"`, 'x-request-id': v.requestId })
          : send(res, 404, { status: 404, title: 'Not Found' }),
      );
    } else {
      send(res, 404, { status: 404 });
      return;
    }
    work.catch((err: unknown) => {
      console.error(err);
      if (!res.headersSent) send(res, 500, { status: 500 });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ msg: `bare server on :${port}` })));
  const stop = (): void => {
    server.close();
    void pool.end().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
