import { connect, type Socket } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { AuditSealJob } from '@app/audit';
import { EscalationJob } from '@app/casework';
import { ManualClock, WebhookDispatcher } from '@app/platform';
import { PurgeLoginFailuresJob, WorkerModule } from '../apps/worker/src/worker.module';
import { DEMO_PASSWORD, startTestApp, testConfig, type TestContext } from './support/app';
import { spawnTs, type TsChild } from './support/child-process';

/**
 * The embedded database's socket server under concurrency: every connection shares one PGlite
 * backend, so one connection's extended-protocol messages (up to Sync) and its whole transaction
 * must never interleave with another's. Runs its own in-memory server in a child process (PGlite
 * does not load inside a Jest test file), whatever database the rest of the suite uses.
 */
describe('embedded database server', () => {
  let server: TsChild;
  let url: string;
  const clients: Client[] = [];

  const client = async (): Promise<Client> => {
    const c = new Client({ connectionString: url });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = spawnTs('test/support/embedded-server.main.ts');
    ({ url } = await server.waitFor<{ url: string }>((line) => typeof line.url === 'string'));
    const c = await client();
    await c.query('CREATE TABLE item (id serial PRIMARY KEY, label text NOT NULL)');
    await c.query(`INSERT INTO item (label) VALUES ('seed')`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await server?.stop();
  });

  const count = async (label: string): Promise<number> => {
    const c = await client();
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM item WHERE label = $1', [label]);
    return rows[0].n;
  };

  it("never runs another connection's query between one connection's Bind and its Execute", async () => {
    const a = await rawConnection(url);
    const b = await client();
    a.write(Buffer.concat([parse(`SELECT 'from a' AS v`), bind(), message('H', Buffer.alloc(0))]));
    await readUntil(a, '2'); // BindComplete: A's unnamed portal is ready, its Execute not yet sent.
    const fromB = b.query<{ v: string }>(`SELECT 'from b' AS v`);
    a.write(Buffer.concat([execute(), message('S', Buffer.alloc(0))]));
    const rows = await readUntil(a, 'Z');
    expect(rows.filter((m) => m.type === 'D').map((m) => m.body.subarray(6).toString())).toEqual(['from a']);
    expect((await fromB).rows).toEqual([{ v: 'from b' }]);
    a.destroy();
  });

  it('keeps the parse, bind and execute of concurrent parameterised queries together', async () => {
    const many = await Promise.all(Array.from({ length: 30 }, () => client()));
    const answers = await Promise.all(
      many.map(async (c, i) => {
        const got: number[] = [];
        for (let j = 0; j < 40; j++) {
          // Unnamed statements and portals, as pg sends every query without a name; a text of
          // each connection's own, so another's statement or portal in between would show.
          const { rows } = await c.query<{ v: number; w: string }>(`SELECT $1::int AS v, $2::text AS w, ${i} AS c`, [
            i * 1000 + j,
            `c${i}`,
          ]);
          expect(rows).toEqual([{ v: i * 1000 + j, w: `c${i}`, c: i }]);
          got.push(rows[0].v);
        }
        return got;
      }),
    );
    expect(answers.flat()).toHaveLength(1200);
  });

  it('keeps concurrent transactions apart: each sees its own writes only, rollbacks are kept apart', async () => {
    const many = await Promise.all(Array.from({ length: 10 }, () => client()));
    await Promise.all(
      many.map(async (c, i) => {
        for (let round = 0; round < 5; round++) {
          await c.query('BEGIN');
          await c.query('INSERT INTO item (label) VALUES ($1)', [`tx-${i}`]);
          const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM item WHERE label LIKE 'tx-%'");
          // Inside the transaction: every earlier committed round of everyone, plus this one row.
          expect(rows[0].n).toBeGreaterThanOrEqual(1);
          await c.query(round % 2 === 0 ? 'COMMIT' : 'ROLLBACK');
        }
      }),
    );
    for (let i = 0; i < 10; i++) expect(await count(`tx-${i}`)).toBe(3);
  });

  it("makes a second transaction wait for the first, never seeing the first's uncommitted rows", async () => {
    const a = await client();
    const b = await client();
    const events: string[] = [];
    await a.query('BEGIN');
    await a.query(`INSERT INTO item (label) VALUES ('uncommitted')`);
    const second = (async () => {
      await b.query('BEGIN');
      const { rows } = await b.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE label = 'uncommitted'`);
      await b.query('COMMIT');
      events.push('b done');
      return rows[0].n;
    })();
    // A keeps working in its transaction while B waits.
    for (let i = 0; i < 5; i++) await a.query('SELECT 1');
    events.push('a rolling back');
    await a.query('ROLLBACK');
    expect(await second).toBe(0);
    expect(events).toEqual(['a rolling back', 'b done']);
  });

  it('rolls back the transaction of a connection that goes away, and serves the others', async () => {
    const a = await client();
    a.on('error', () => undefined); // Its own connection is cut below.
    await a.query('BEGIN');
    await a.query(`INSERT INTO item (label) VALUES ('abandoned-tx')`);
    const waiting = count('abandoned-tx');
    (a as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
    expect(await waiting).toBe(0);
    expect(await count('abandoned-tx')).toBe(0);
  });

  it('discards the unsynced work of a connection that goes away between Execute and Sync', async () => {
    const socket = await rawConnection(url);
    // Parse, Bind, Execute and Flush: the insert runs in an implicit transaction awaiting Sync.
    socket.write(
      Buffer.concat([
        parse(`INSERT INTO item (label) VALUES ('unsynced')`),
        bind(),
        execute(),
        message('H', Buffer.alloc(0)),
      ]),
    );
    await readUntil(socket, 'C'); // CommandComplete: executed, not committed.
    const waiting = count('unsynced');
    socket.destroy();
    expect(await waiting).toBe(0);
  });

  it('keeps an error in one connection to that connection', async () => {
    const [bad, good] = [await client(), await client()];
    const results = await Promise.allSettled([
      bad.query('SELECT * FROM no_such_table WHERE id = $1', [1]),
      ...Array.from({ length: 10 }, (_, i) => good.query<{ v: number }>('SELECT $1::int AS v', [i])),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: '42P01' } });
    expect(results.slice(1).map((r) => (r.status === 'fulfilled' ? r.value.rows[0].v : r.reason))).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
    await expect(bad.query('SELECT 2 AS v')).resolves.toMatchObject({ rows: [{ v: 2 }] });
  });
});

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const parse = (sql: string) => message('P', Buffer.concat([cstring(''), cstring(sql), int16(0)]));
const bind = () => message('B', Buffer.concat([cstring(''), cstring(''), int16(0), int16(0), int16(0)]));
const execute = () => message('E', Buffer.concat([cstring(''), int32(0)]));

/** A connection speaking the wire protocol by hand, started up and ready for queries. */
async function rawConnection(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const params = Buffer.concat([
    cstring('user'),
    cstring('postgres'),
    cstring('database'),
    cstring('postgres'),
    cstring(''),
  ]);
  socket.write(Buffer.concat([int32(params.length + 8), int32(196608), params]));
  await readUntil(socket, 'Z');
  return socket;
}

/** Reads whole messages until one of the given type arrives; an ErrorResponse rejects. */
function readUntil(socket: Socket, type: string): Promise<{ type: string; body: Buffer }[]> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const seen: { type: string; body: Buffer }[] = [];
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        const t = String.fromCharCode(buffer[0]);
        const end = 1 + buffer.readInt32BE(1);
        seen.push({ type: t, body: buffer.subarray(5, end) });
        buffer = buffer.subarray(end);
        if (t === 'E') {
          socket.off('data', onData);
          reject(new Error(`the server answered an error: ${seen[seen.length - 1].body.toString('latin1')}`));
          return;
        }
        if (t === type) {
          socket.off('data', onData);
          resolve(seen);
          return;
        }
      }
    };
    socket.on('data', onData);
  });
}

/** The API and the worker side by side on the suite's database (the embedded one without DATABASE_URL). */
describe('API and worker on one database', () => {
  let api: TestContext;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    api = await startTestApp();
    worker = await NestFactory.createApplicationContext(
      WorkerModule.register(testConfig(), process.env.TEST_DATABASE_URL!, new ManualClock(new Date())),
      { logger: false },
    );
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('answers every one of 200 logins while the worker runs its jobs', async () => {
    // Twenty accounts for twenty concurrent logins: more than LOGIN_MAX_FAILURES attempts in flight
    // for ONE account are refused before their passwords are checked, by design (the hardening issue).
    const emails = [
      'social.worker@northshire-council.example',
      'team.manager@northshire-council.example',
      'mash.officer@northshire-council.example',
      'conference.chair@northshire-council.example',
      'dpo@northshire-council.example',
      'social.worker@southshire-council.example',
      'mash.officer@southshire-council.example',
      'team.manager@southshire-council.example',
      'cse.officer@northshire-police.example',
      'cse.supervisor@northshire-police.example',
      'analyst@northshire-police.example',
      'officer@southshire-police.example',
      'cse.officer@southshire-police.example',
      'dsl@riverside-academy.example',
      'teacher@riverside-academy.example',
      'nurse@northshire-nhs.example',
      'safeguarding.nurse@northshire-nhs.example',
      'inspector@inspectorate.example',
      'admin@northshire-council.example',
      'admin@southshire-council.example',
    ];
    let done = false;
    const jobs = (async () => {
      let runs = 0;
      while (!done) {
        await worker.get(AuditSealJob).run();
        await worker.get(PurgeLoginFailuresJob).run();
        await worker.get(EscalationJob).run();
        await worker.get(WebhookDispatcher).fanOut();
        runs++;
      }
      return runs;
    })();
    const statuses: number[] = [];
    try {
      const queue = Array.from({ length: 200 }, (_, i) => emails[i % emails.length]);
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          for (let email = queue.shift(); email !== undefined; email = queue.shift()) {
            const res = await api.http.post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD });
            statuses.push(res.status);
          }
        }),
      );
    } finally {
      done = true;
    }
    expect(await jobs).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(200);
  });
});
