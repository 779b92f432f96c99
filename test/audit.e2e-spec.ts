import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  AUDIT_SEAL_LOCK,
  type AuditEntry,
  AuditModule,
  AuditSealer,
  AuditService,
  AuditVerifier,
  chainHash,
  parseAnchor,
} from '@app/audit';
import {
  type Actor,
  buildDataSourceOptions,
  Clock,
  DomainError,
  encodeCursor,
  loadConfig,
  ManualClock,
  namedQuery,
  PlatformModule,
  runMigrationsLocked,
} from '@app/platform';
import { AuditLog1795870000000 } from '../migrations/1795870000000-AuditLog';
import { AuditChainInSeqOrder1795884000000 } from '../migrations/1795884000000-AuditChainInSeqOrder';
import { MIGRATIONS } from '../migrations/index';
import { SCHEMA } from '../migrations/schema';
import { canonicalEvent, EVENT_COLUMNS, type EventRow, sealedForm } from '../libs/audit/src/event-row';
import { createRunDatabase, dropRunDatabase } from './support/database';

/**
 * The e2e database is shared by every e2e file of the run: assertions here look only at the
 * events this file writes (unique child ids, request ids), and tampering happens in a database of
 * its own when there is a real PostgreSQL (DATABASE_URL), else is undone exactly before moving on.
 */
const realPostgres = Boolean(process.env.DATABASE_URL);
// These need two truly concurrent transactions, which the embedded PGlite (one backend) cannot give;
// they run wherever the suite runs on a real PostgreSQL, as in CI.
const itRealPostgres = realPostgres ? it : ((() => undefined) as unknown as typeof it);

describe('audit log', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let audit: AuditService;
  let sealer: AuditSealer;
  let verifier: AuditVerifier;
  const clock = new ManualClock(new Date('2026-11-28T12:00:00.000Z'));
  let user: Actor;
  let userName: string;
  let userOrgName: string;
  let client: Actor;
  let clientName: string;
  let clientOrgName: string;

  beforeAll(async () => {
    const url = process.env.TEST_DATABASE_URL!;
    moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot(
          loadConfig({
            NODE_ENV: 'test',
            DATABASE_URL: url,
            JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
            LOG_LEVEL: 'silent',
          }),
          clock as Clock,
        ),
        // Quiet: some tests expect refused queries.
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(url, SCHEMA, { poolMax: 4 }), logging: false }),
        AuditModule,
      ],
    }).compile();
    db = moduleRef.get(DataSource);
    audit = moduleRef.get(AuditService);
    sealer = moduleRef.get(AuditSealer);
    verifier = moduleRef.get(AuditVerifier);

    const [u] = await db.query(
      `SELECT u.id, u.organisation_id, u.roles, u.team_id, u.name, o.name AS org_name, o.type
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.email = $1`,
      ['social.worker@northshire-council.example'],
    );
    user = {
      kind: 'user',
      id: u.id,
      organisationId: u.organisation_id,
      organisationType: u.type,
      teamId: u.team_id,
      roles: u.roles,
      scopes: [],
    };
    userName = u.name;
    userOrgName = u.org_name;
    const [c] = await db.query(
      `SELECT c.id, c.organisation_id, c.scopes, c.name, o.name AS org_name, o.type
         FROM api_client c JOIN organisation o ON o.id = c.organisation_id WHERE c.client_id = $1`,
      ['southshire-police-case-system'],
    );
    client = {
      kind: 'client',
      id: c.id,
      organisationId: c.organisation_id,
      organisationType: c.type,
      teamId: null,
      roles: [],
      scopes: c.scopes,
    };
    clientName = c.name;
    clientOrgName = c.org_name;
  });

  afterAll(() => moduleRef.close());

  const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => {
    const child = randomUUID();
    return {
      actor: user,
      action: 'child.read',
      subjectType: 'child',
      subjectIds: [child],
      childIds: [child],
      outcome: 'allowed',
      purpose: 'direct_safeguarding',
      requestId: randomUUID(),
      clientIp: '192.0.2.10',
      details: { fields: ['name', 'dateOfBirth'] },
      at: clock.now(),
      ...overrides,
    };
  };

  const eventsOf = (source: DataSource | EntityManager, requestIds: string[]) =>
    source.query(
      `SELECT e.*, e.seq::text AS seq FROM audit_event e WHERE request_id = ANY($1::varchar[]) ORDER BY e.seq`,
      [requestIds],
    );

  async function recordMany(source: DataSource, n: number, overrides: Partial<AuditEntry> = {}): Promise<string[]> {
    const requestIds = Array.from({ length: n }, () => randomUUID());
    await source.transaction(async (tx) => {
      for (const requestId of requestIds) await audit.record(tx, entry({ ...overrides, requestId }));
    });
    return (await eventsOf(source, requestIds)).map((e: { seq: string }) => e.seq);
  }

  async function drain(s: AuditSealer): Promise<number> {
    let total = 0;
    for (let sealed = await s.sealPending(); sealed > 0; sealed = await s.sealPending()) total += sealed;
    return total;
  }

  const sealsOf = (source: DataSource, seqs: string[]) =>
    source.query(
      `SELECT event_seq::text AS event_seq, seal_seq::text AS seal_seq, count(*) OVER (PARTITION BY event_seq)::int AS n
         FROM audit_seal s WHERE event_seq = ANY($1::bigint[]) ORDER BY s.seal_seq`,
      [seqs],
    );

  describe('recording', () => {
    it("writes one event in the caller's transaction, every column as given", async () => {
      const e = entry({ breakGlass: true, outcome: 'denied', details: { grantId: randomUUID(), count: 2 } });
      await db.transaction((tx) => audit.record(tx, e));
      const [row] = await eventsOf(db, [e.requestId!]);
      expect(row).toEqual({
        seq: expect.stringMatching(/^\d+$/),
        occurred_at: e.at,
        actor_kind: 'user',
        actor_id: user.id,
        actor_roles: user.roles,
        organisation_id: user.organisationId,
        action: 'child.read',
        subject_type: 'child',
        subject_ids: e.subjectIds,
        child_ids: e.childIds,
        outcome: 'denied',
        break_glass: true,
        purpose: 'direct_safeguarding',
        request_id: e.requestId,
        client_ip: '192.0.2.10',
        details: e.details,
      });
    });

    it('defaults: no break-glass, empty details, no request id or address', async () => {
      const child = randomUUID();
      await audit.record(db.manager, {
        actor: client,
        action: 'child.search',
        subjectType: 'child',
        subjectIds: [],
        childIds: [child],
        outcome: 'allowed',
        purpose: 'direct_safeguarding',
        at: clock.now(),
      });
      const [row] = await db.query(`SELECT * FROM audit_event WHERE child_ids = ARRAY[$1]::uuid[]`, [child]);
      expect(row).toMatchObject({
        break_glass: false,
        details: {},
        request_id: null,
        client_ip: null,
        actor_roles: [],
      });
    });

    it('a rolled-back transaction leaves no event', async () => {
      const e = entry();
      await expect(
        db.transaction(async (tx) => {
          await audit.record(tx, e);
          expect(await eventsOf(tx, [e.requestId!])).toHaveLength(1);
          throw new Error('the work failed');
        }),
      ).rejects.toThrow('the work failed');
      expect(await eventsOf(db, [e.requestId!])).toEqual([]);
    });

    it('refuses an entry that would be a wrong record', () => {
      expect(() => audit.insertSql(entry({ action: '' }))).toThrow(TypeError);
      expect(() => audit.insertSql(entry({ outcome: 'maybe' as never }))).toThrow(TypeError);
      expect(() => audit.insertSql(entry({ at: new Date(Number.NaN) }))).toThrow(TypeError);
      expect(() => audit.insertSql(entry(), { prefix: 'x; DROP TABLE child' })).toThrow(TypeError);
    });

    it('insertSql puts the record in a CTE beside the read: one statement, its parameters named apart', async () => {
      const e = entry({ subjectType: 'organisation', action: 'organisation.read' });
      const insert = audit.insertSql(e, { prefix: 'rec' });
      expect(insert.sql).toMatch(/^INSERT INTO audit_event \(/);
      expect(Object.keys(insert.params).every((k) => k.startsWith('rec_'))).toBe(true);
      const rows = await namedQuery(
        db.manager,
        `WITH audit AS (${insert.sql}) SELECT code, name FROM organisation WHERE code = :code`,
        { code: 'NSP', ...insert.params },
      );
      expect(rows).toEqual([{ code: 'NSP', name: 'Northshire Police' }]);
      expect(await eventsOf(db, [e.requestId!])).toEqual([
        expect.objectContaining({ action: 'organisation.read', child_ids: e.childIds }),
      ]);
    });

    it('insertSql can record every id the same statement returned (a search)', async () => {
      const e = entry({ action: 'child.search', subjectIds: [], childIds: [] });
      const ids = "(SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM found)";
      const insert = audit.insertSql(e, {
        expressions: {
          subjectIdsSql: ids,
          childIdsSql: ids,
          outcomeSql: "CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'allowed' ELSE 'not_found' END",
          breakGlassSql: '(SELECT count(*) > 2 FROM found)',
        },
      });
      const rows = await namedQuery<{ id: string }>(
        db.manager,
        `WITH found AS (SELECT id FROM organisation WHERE code = ANY(:codes)),
              audit AS (${insert.sql})
         SELECT id FROM found ORDER BY id`,
        { codes: ['NSP', 'SSP', 'NSC'], ...insert.params },
      );
      expect(rows).toHaveLength(3);
      const [row] = await eventsOf(db, [e.requestId!]);
      expect(row.child_ids).toEqual(rows.map((r) => r.id));
      expect(row.subject_ids).toEqual(rows.map((r) => r.id));
      expect(row).toMatchObject({ outcome: 'allowed', break_glass: true });
    });
  });

  describe('append-only', () => {
    /** Runs `sql` in a transaction that is rolled back whatever happens, and returns its error. */
    async function refusal(sql: string, params: unknown[] = []): Promise<{ message: string; code: string }> {
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(sql, params);
        return { message: 'not refused', code: '' };
      } catch (err) {
        const e = err as { message: string; driverError?: { code: string } };
        return { message: e.message, code: e.driverError?.code ?? '' };
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }

    it('refuses UPDATE, DELETE and TRUNCATE of events and seals, for everyone short of the owner', async () => {
      const [seq] = await recordMany(db, 1);
      await drain(sealer);
      const refused = { message: 'audit log is append-only', code: '42501' };
      expect(await refusal(`UPDATE audit_event SET purpose = 'x' WHERE seq = $1`, [seq])).toEqual(refused);
      expect(await refusal('DELETE FROM audit_event WHERE seq = $1', [seq])).toEqual(refused);
      expect(await refusal('TRUNCATE audit_event CASCADE')).toEqual(refused);
      expect(await refusal(`UPDATE audit_seal SET hash = repeat('0', 64) WHERE event_seq = $1`, [seq])).toEqual(
        refused,
      );
      expect(await refusal('DELETE FROM audit_seal WHERE event_seq = $1', [seq])).toEqual(refused);
      expect(await refusal('TRUNCATE audit_seal')).toEqual(refused);
      expect(await db.query('SELECT 1 FROM audit_event WHERE seq = $1', [seq])).toHaveLength(1);
    });

    it('the migration down drops what up created (tried in a transaction rolled back)', async () => {
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await new AuditLog1795870000000().down(runner);
        const left = await runner.query(
          `SELECT relname FROM pg_class WHERE relname LIKE 'audit\\_%' OR relname LIKE 'ix\\_audit\\_%'
           UNION ALL SELECT proname FROM pg_proc WHERE proname = 'audit_refuse_change'`,
        );
        expect(left).toEqual([]);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await db.query(`SELECT 1 FROM pg_class WHERE relname = 'audit_event'`)).toHaveLength(1);
    });

    it('indexes events by child with a GIN index the lookup uses', async () => {
      const [index] = await db.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_audit_event_child_ids'`);
      expect(index.indexdef).toMatch(/USING gin \(child_ids\)/);
      const plan = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        return tx.query(`EXPLAIN SELECT seq FROM audit_event WHERE child_ids @> ARRAY[$1]::uuid[]`, [randomUUID()]);
      });
      expect(JSON.stringify(plan)).toContain('ix_audit_event_child_ids');
    });

    it('the sealed form of an event reads every column of audit_event', async () => {
      const columns: { column_name: string }[] = await db.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_event' ORDER BY ordinal_position`,
      );
      expect(columns.length).toBe(16);
      for (const { column_name } of columns) expect(EVENT_COLUMNS).toMatch(new RegExp(`\\be\\.${column_name}\\b`));
    });
  });

  describe('sealing and verifying', () => {
    it('links pending events in seq order and verifies the chain', async () => {
      const seqs = await recordMany(db, 12);
      expect(await drain(sealer)).toBeGreaterThanOrEqual(12);
      const seals = await sealsOf(db, seqs);
      expect(seals.map((s: { event_seq: string }) => s.event_seq)).toEqual(seqs);
      expect(seals.every((s: { n: number }) => s.n === 1)).toBe(true);
      const result = await verifier.verify();
      expect(result).toEqual({ ok: true, sealed: expect.any(Number), unsealed: 0 });
      expect(result.ok && result.sealed).toBeGreaterThanOrEqual(12);
      // Each link starts where the one before it ended.
      const chain: { prev_hash: string; hash: string }[] = await db.query(
        'SELECT prev_hash, hash FROM audit_seal ORDER BY seal_seq',
      );
      expect(chain[0]?.prev_hash).toBe('0'.repeat(64));
      chain.slice(1).forEach((link, i) => expect(link.prev_hash).toBe(chain[i]?.hash));
    });

    it('seals in batches of at most the limit, the rest on later calls', async () => {
      await drain(sealer);
      const seqs = await recordMany(db, 7);
      expect(await sealer.sealPending(3)).toBe(3);
      expect(await sealer.sealPending(3)).toBe(3);
      expect(await sealer.sealPending(3)).toBe(1);
      expect(await sealer.sealPending(3)).toBe(0);
      expect((await sealsOf(db, seqs)).map((s: { event_seq: string }) => s.event_seq)).toEqual(seqs);
    });

    it('two sealers at once never seal an event twice', async () => {
      await drain(sealer);
      const seqs = await recordMany(db, 40);
      const other = new AuditSealer(db, clock);
      const results = await Promise.all([
        sealer.sealPending(5),
        other.sealPending(5),
        sealer.sealPending(5),
        other.sealPending(5),
        sealer.sealPending(5),
        other.sealPending(5),
      ]);
      expect(results.every((n) => n >= 0 && n <= 5)).toBe(true);
      await Promise.all([drain(sealer), drain(other)]);
      const seals = await sealsOf(db, seqs);
      expect(seals.map((s: { event_seq: string }) => s.event_seq)).toEqual(seqs);
      expect(seals.every((s: { n: number }) => s.n === 1)).toBe(true);
      expect(await verifier.verify()).toMatchObject({ ok: true });
    });

    itRealPostgres('a sealer returns 0 at once while another holds the lock', async () => {
      await recordMany(db, 2);
      const holder = db.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_SEAL_LOCK]);
        expect(await sealer.sealPending()).toBe(0);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect(await sealer.sealPending()).toBeGreaterThanOrEqual(2);
    });

    itRealPostgres(
      'an event committed after later ones is sealed in seq order: the sealer waits for it, never skips it',
      async () => {
        await drain(sealer);
        const late = db.createQueryRunner();
        await late.connect();
        await late.startTransaction();
        let lateSeq = '';
        let earlySeq = '';
        try {
          const lateEntry = entry();
          await audit.record(late.manager, lateEntry);
          [{ seq: lateSeq }] = await eventsOf(late.manager, [lateEntry.requestId!]);
          [earlySeq] = await recordMany(db, 1);
          expect(BigInt(earlySeq)).toBeGreaterThan(BigInt(lateSeq));
          // Several rounds while the late transaction is open: the sealer must not move past it.
          for (let i = 0; i < 3; i++) await sealer.sealPending();
          expect(await sealsOf(db, [earlySeq, lateSeq])).toEqual([]);
          // A sealer started meanwhile knows no better and waits too.
          expect(await new AuditSealer(db, clock).sealPending()).toBe(0);
          await late.commitTransaction();
        } finally {
          if (late.isTransactionActive) await late.rollbackTransaction();
          await late.release();
        }
        await drain(sealer);
        const seals = await sealsOf(db, [earlySeq, lateSeq]);
        expect(seals.map((s: { event_seq: string }) => s.event_seq)).toEqual([lateSeq, earlySeq]);
        expect(await verifier.verify()).toMatchObject({ ok: true, unsealed: 0 });
      },
    );

    itRealPostgres('a transaction that rolls back after taking a seq leaves a gap the chain passes over', async () => {
      await drain(sealer);
      const open = db.createQueryRunner();
      await open.connect();
      await open.startTransaction();
      let after: string[] = [];
      try {
        const e = entry();
        await audit.record(open.manager, e);
        after = await recordMany(db, 2);
        expect(await sealer.sealPending()).toBe(0);
      } finally {
        await open.rollbackTransaction();
        await open.release();
      }
      expect(await drain(sealer)).toBeGreaterThanOrEqual(2);
      expect((await sealsOf(db, after)).map((s: { event_seq: string }) => s.event_seq)).toEqual(after);
      expect(await verifier.verify()).toMatchObject({ ok: true, unsealed: 0 });
    });

    it('an insert cannot choose its seq: the trigger gives it the next one', async () => {
      const [{ seq: taken }] = await db.query(
        `SELECT nextval(pg_get_serial_sequence('audit_event', 'seq'))::text AS seq`,
      );
      const e = entry();
      const insert = audit.insertSql(e);
      const [row] = await namedQuery<{ seq: string }>(
        db.manager,
        `${insert.sql.replace('(occurred_at', '(seq, occurred_at').replace('VALUES (', 'VALUES (:taken, ')} RETURNING seq::text AS seq`,
        { taken, ...insert.params },
      );
      expect(BigInt(row!.seq)).toBeGreaterThan(BigInt(taken));
      expect(await db.query('SELECT 1 FROM audit_event WHERE seq = $1', [taken])).toEqual([]);
    });

    it('a sealer starting afresh (a restart) carries the chain on from its head, in seq order', async () => {
      await drain(sealer);
      const seqs = await recordMany(db, 3);
      expect(await drain(new AuditSealer(db, clock))).toBeGreaterThanOrEqual(3);
      const seals = await sealsOf(db, seqs);
      expect(seals.map((s: { event_seq: string }) => s.event_seq)).toEqual(seqs);
      expect(await verifier.verify()).toMatchObject({ ok: true });
    });
  });

  describe('tampering, as the database owner', () => {
    let tamperDb: DataSource;
    let closeTamperDb: () => Promise<void>;

    beforeAll(async () => {
      if (realPostgres) {
        // A database of its own: nothing here can disturb the other e2e files.
        const base = process.env.DATABASE_URL!;
        const url = await createRunDatabase(base);
        tamperDb = await new DataSource(buildDataSourceOptions(url, SCHEMA, { poolMax: 2 })).initialize();
        await runMigrationsLocked(tamperDb);
        closeTamperDb = async () => {
          await tamperDb.destroy();
          await dropRunDatabase(base, url);
        };
      } else {
        // The shared embedded database: every change below is undone before the test ends.
        tamperDb = db;
        closeTamperDb = async () => undefined;
      }
    });
    afterAll(() => closeTamperDb());

    /** What an owner can do: switch the append-only triggers off for one transaction. */
    const asOwner = (table: 'audit_event' | 'audit_seal', sql: string, params: unknown[]) =>
      tamperDb.transaction(async (tx) => {
        await tx.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
        await tx.query(sql, params);
        await tx.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      });

    const rowJson = async (table: 'audit_event' | 'audit_seal', where: string, value: string): Promise<string> => {
      const [row] = await tamperDb.query(`SELECT row_to_json(t)::text AS json FROM ${table} t WHERE ${where} = $1`, [
        value,
      ]);
      return row.json;
    };
    // With the triggers off: the insert trigger would give the event a new seq.
    const restore = (table: 'audit_event' | 'audit_seal', json: string) =>
      asOwner(table, `INSERT INTO ${table} SELECT * FROM json_populate_record(NULL::${table}, $1::json)`, [json]);

    async function sealedEvents(n: number): Promise<{ seqs: string[]; sealer: AuditSealer; verifier: AuditVerifier }> {
      const tamperSealer = new AuditSealer(tamperDb, clock);
      const tamperVerifier = new AuditVerifier(tamperDb);
      const seqs = await recordMany(tamperDb, n);
      await drain(tamperSealer);
      expect(await tamperVerifier.verify()).toMatchObject({ ok: true });
      return { seqs, sealer: tamperSealer, verifier: tamperVerifier };
    }

    /** The seq of an event whose transaction rolled back: a gap, as rollbacks leave every day. */
    async function rolledBackSeq(source: DataSource): Promise<string> {
      const e = entry();
      let seq = '';
      await expect(
        source.transaction(async (tx) => {
          await audit.record(tx, e);
          [{ seq }] = await eventsOf(tx, [e.requestId!]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      return seq;
    }

    /** What the owner (or a superuser) can do: insert with the triggers off, choosing every column. */
    const insertBypassingTriggers = (e: AuditEntry, seq?: string) =>
      tamperDb.transaction(async (tx) => {
        await tx.query('SET LOCAL session_replication_role = replica');
        const insert = audit.insertSql(e);
        const sql =
          seq === undefined
            ? insert.sql
            : insert.sql.replace('(occurred_at', '(seq, occurred_at').replace('VALUES (', 'VALUES (:seq, ');
        await namedQuery(tx, `${sql} RETURNING seq::text AS seq`, { ...insert.params, seq });
      });

    it('a backdated event inserted with the triggers bypassed into a gap behind the sealed head breaks the chain', async () => {
      const gap = await rolledBackSeq(tamperDb);
      // Gaps are legitimate: the events after one seal and verify.
      const { seqs, sealer: s, verifier: check } = await sealedEvents(3);
      expect(BigInt(seqs[0]!)).toBeGreaterThan(BigInt(gap));
      const backdated = entry({ at: new Date('2025-01-15T09:00:00.000Z') });
      await insertBypassingTriggers(backdated, gap);
      try {
        // As `npm run audit:verify` does: seal what is pending, then walk the chain.
        await drain(s);
        expect(await check.verify()).toEqual({
          ok: false,
          brokenAt: gap,
          reason: expect.stringMatching(/^event inserted/),
        });
      } finally {
        await asOwner('audit_event', 'DELETE FROM audit_event WHERE seq = $1', [gap]);
      }
      expect(await check.verify()).toMatchObject({ ok: true });
    });

    it('an event inserted behind the sealed head is caught by a sealer that starts afresh too (a restart)', async () => {
      const gap = await rolledBackSeq(tamperDb);
      const { verifier: check } = await sealedEvents(2);
      await insertBypassingTriggers(entry({ at: new Date('2024-06-01T00:00:00.000Z') }), gap);
      try {
        await drain(new AuditSealer(tamperDb, clock));
        expect(await check.verify()).toEqual({
          ok: false,
          brokenAt: gap,
          reason: expect.stringMatching(/^event inserted/),
        });
      } finally {
        await asOwner('audit_event', 'DELETE FROM audit_event WHERE seq = $1', [gap]);
      }
      expect(await check.verify()).toMatchObject({ ok: true });
    });

    it('a changed event is reported at its seq', async () => {
      const { seqs, verifier: check } = await sealedEvents(5);
      const target = seqs[2]!;
      const before = await rowJson('audit_event', 'seq', target);
      await asOwner('audit_event', `UPDATE audit_event SET purpose = 'curiosity' WHERE seq = $1`, [target]);
      try {
        expect(await check.verify()).toEqual({
          ok: false,
          brokenAt: target,
          reason: expect.stringMatching(/^event changed/),
        });
      } finally {
        await asOwner('audit_event', `UPDATE audit_event SET purpose = $2 WHERE seq = $1`, [
          target,
          JSON.parse(before).purpose,
        ]);
      }
      expect(await rowJson('audit_event', 'seq', target)).toBe(before);
      expect(await check.verify()).toMatchObject({ ok: true });
    });

    it('a deleted event is reported at its seq', async () => {
      const { seqs, verifier: check } = await sealedEvents(4);
      const target = seqs[1]!;
      const before = await rowJson('audit_event', 'seq', target);
      await asOwner('audit_event', 'DELETE FROM audit_event WHERE seq = $1', [target]);
      try {
        expect(await check.verify()).toEqual({
          ok: false,
          brokenAt: target,
          reason: expect.stringMatching(/^event missing/),
        });
      } finally {
        await restore('audit_event', before);
      }
      expect(await rowJson('audit_event', 'seq', target)).toBe(before);
      expect(await check.verify()).toMatchObject({ ok: true });
    });

    it('a removed seal is reported as a broken chain at the next event', async () => {
      const { seqs, verifier: check } = await sealedEvents(4);
      const before = await rowJson('audit_seal', 'event_seq', seqs[1]!);
      await asOwner('audit_seal', 'DELETE FROM audit_seal WHERE event_seq = $1', [seqs[1]]);
      try {
        expect(await check.verify()).toEqual({
          ok: false,
          brokenAt: seqs[2],
          reason: expect.stringMatching(/^chain broken/),
        });
      } finally {
        await restore('audit_seal', before);
      }
      expect(await check.verify()).toMatchObject({ ok: true });
    });

    it('the newest events deleted with their seals pass the chain alone, and are caught by an anchor kept outside', async () => {
      const { seqs, verifier: check } = await sealedEvents(3);
      const anchor = (await check.head())!;
      expect(anchor.sealSeq).toMatch(/^[1-9][0-9]*$/);
      expect(parseAnchor(`${anchor.sealSeq}:${anchor.hash}`)).toEqual(anchor);
      expect(await check.verify([anchor])).toMatchObject({ ok: true });
      const tail = seqs.slice(1);
      const events = await Promise.all(tail.map((seq) => rowJson('audit_event', 'seq', seq)));
      const seals = await Promise.all(tail.map((seq) => rowJson('audit_seal', 'event_seq', seq)));
      await asOwner('audit_seal', 'DELETE FROM audit_seal WHERE event_seq = ANY($1::bigint[])', [tail]);
      await asOwner('audit_event', 'DELETE FROM audit_event WHERE seq = ANY($1::bigint[])', [tail]);
      try {
        expect(await check.verify()).toMatchObject({ ok: true });
        expect(await check.verify([anchor])).toEqual({
          ok: false,
          brokenAt: `seal ${anchor.sealSeq}`,
          reason: expect.stringMatching(/^chain truncated/),
        });
      } finally {
        for (const json of events) await restore('audit_event', json);
        for (const json of seals) await restore('audit_seal', json);
      }
      expect(await check.verify([anchor])).toMatchObject({ ok: true });
      // An anchor that does not match the link it names: the chain was rebuilt.
      const forged = { sealSeq: anchor.sealSeq, hash: 'f'.repeat(64) };
      expect(await check.verify([forged])).toEqual({
        ok: false,
        brokenAt: seqs[2],
        reason: expect.stringMatching(/^chain rewritten/),
      });
      expect(() => parseAnchor('12:not-a-hash')).toThrow(TypeError);
    });

    it('an event changed with its seal forged to match is caught at the next link', async () => {
      const { seqs, verifier: check } = await sealedEvents(3);
      const eventBefore = await rowJson('audit_event', 'seq', seqs[0]!);
      const sealBefore = await rowJson('audit_seal', 'event_seq', seqs[0]!);
      await asOwner('audit_event', `UPDATE audit_event SET purpose = 'curiosity' WHERE seq = $1`, [seqs[0]]);
      const [forged] = await tamperDb.query(
        `SELECT s.prev_hash, ${EVENT_COLUMNS} FROM audit_event e JOIN audit_seal s ON s.event_seq = e.seq WHERE e.seq = $1`,
        [seqs[0]],
      );
      await asOwner('audit_seal', 'UPDATE audit_seal SET hash = $2 WHERE event_seq = $1', [
        seqs[0],
        chainHash(forged.prev_hash, sealedForm(forged, 2)),
      ]);
      try {
        expect(await check.verify()).toEqual({
          ok: false,
          brokenAt: seqs[1],
          reason: expect.stringMatching(/^chain broken/),
        });
      } finally {
        await asOwner('audit_event', 'UPDATE audit_event SET purpose = $2 WHERE seq = $1', [
          seqs[0],
          JSON.parse(eventBefore).purpose,
        ]);
        await asOwner('audit_seal', 'UPDATE audit_seal SET hash = $2 WHERE event_seq = $1', [
          seqs[0],
          JSON.parse(sealBefore).hash,
        ]);
      }
      expect(await rowJson('audit_seal', 'event_seq', seqs[0]!)).toBe(sealBefore);
      expect(await check.verify()).toMatchObject({ ok: true });
    });
  });

  describe('upgrading a chain sealed before it followed seq order', () => {
    // A database of its own, migrated as it was before: the embedded server has only the one.
    itRealPostgres(
      'keeps the links sealed before valid, as they were sealed, and goes on in seq order from there',
      async () => {
        const url = await createRunDatabase(process.env.DATABASE_URL!);
        const stop = () => dropRunDatabase(process.env.DATABASE_URL!, url);
        const before = MIGRATIONS.filter((m) => m !== AuditChainInSeqOrder1795884000000);
        let old = await new DataSource(
          buildDataSourceOptions(url, { ...SCHEMA, migrations: before }, { poolMax: 2 }),
        ).initialize();
        try {
          await runMigrationsLocked(old);
          const seqs = await recordMany(old, 4);
          // What the sealer did before: link in the order found, a late commit after later events.
          const rows = await old.query<EventRow[]>(
            `SELECT ${EVENT_COLUMNS} FROM audit_event e WHERE e.seq = ANY($1::bigint[])`,
            [seqs],
          );
          const bySeq = new Map(rows.map((r) => [r.seq, r]));
          let prev = '0'.repeat(64);
          for (const seq of [seqs[0]!, seqs[2]!, seqs[1]!]) {
            const hash = chainHash(prev, canonicalEvent(bySeq.get(seq)!));
            await old.query('INSERT INTO audit_seal (event_seq, prev_hash, hash, sealed_at) VALUES ($1, $2, $3, $4)', [
              seq,
              prev,
              hash,
              clock.now(),
            ]);
            prev = hash;
          }
          await old.destroy();

          // The upgrade: the fourth event was still unsealed.
          old = await new DataSource(buildDataSourceOptions(url, SCHEMA, { poolMax: 2 })).initialize();
          expect(await runMigrationsLocked(old)).toEqual(['AuditChainInSeqOrder1795884000000']);
          expect(
            (await old.query('SELECT chain_version FROM audit_seal ORDER BY seal_seq')).map(
              (r: { chain_version: number }) => r.chain_version,
            ),
          ).toEqual([1, 1, 1]);
          const check = new AuditVerifier(old);
          expect(await check.verify()).toEqual({ ok: true, sealed: 3, unsealed: 1 });

          const later = await recordMany(old, 2);
          const upgraded = new AuditSealer(old, clock);
          expect(await drain(upgraded)).toBe(3);
          const seals = await old.query(
            'SELECT event_seq::text AS event_seq, chain_version FROM audit_seal ORDER BY seal_seq',
          );
          expect(seals).toEqual([
            { event_seq: seqs[0], chain_version: 1 },
            { event_seq: seqs[2], chain_version: 1 },
            { event_seq: seqs[1], chain_version: 1 },
            { event_seq: seqs[3], chain_version: 2 },
            { event_seq: later[0], chain_version: 2 },
            { event_seq: later[1], chain_version: 2 },
          ]);
          expect(await check.verify()).toEqual({ ok: true, sealed: 6, unsealed: 0 });

          // A link passed off as one of the version before, to escape the order check, no longer matches.
          await old.transaction(async (tx) => {
            await tx.query('ALTER TABLE audit_seal DISABLE TRIGGER USER');
            await tx.query('UPDATE audit_seal SET chain_version = 1 WHERE event_seq = $1', [later[1]]);
            await tx.query('ALTER TABLE audit_seal ENABLE TRIGGER USER');
          });
          expect(await check.verify()).toEqual({
            ok: false,
            brokenAt: later[1],
            reason: expect.stringMatching(/^out of order/),
          });
        } finally {
          if (old.isInitialized) await old.destroy();
          await stop();
        }
      },
    );

    it('the migration marks the links already sealed as version 1 and down undoes it (in a transaction rolled back)', async () => {
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await new AuditChainInSeqOrder1795884000000().down(runner);
        const [{ n }] = await runner.query(
          `SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'audit_event_assign_seq'`,
        );
        expect(n).toBe(0);
        await new AuditChainInSeqOrder1795884000000().up(runner);
        const versions = await runner.query('SELECT DISTINCT chain_version FROM audit_seal');
        expect(versions.length === 0 || versions.every((v: { chain_version: number }) => v.chain_version === 1)).toBe(
          true,
        );
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      expect(await verifier.verify()).toMatchObject({ ok: true });
    });
  });

  describe("a child's access log", () => {
    it('lists the events that touched the child, newest first, with actor and organisation names, paginated', async () => {
      const child = randomUUID();
      const other = randomUUID();
      const stranger = randomUUID();
      const orgless = randomUUID();
      const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 9, minute));
      await db.transaction(async (tx) => {
        await audit.record(tx, entry({ childIds: [child], subjectIds: [child], requestId: 'log-1', at: at(1) }));
        await audit.record(
          tx,
          entry({
            actor: client,
            action: 'child.search',
            childIds: [other, child],
            subjectIds: [other, child],
            requestId: 'log-2',
            at: at(2),
          }),
        );
        await audit.record(tx, entry({ action: 'section.read', childIds: [other], requestId: 'log-3', at: at(3) }));
        await audit.record(
          tx,
          entry({ childIds: [child], breakGlass: true, purpose: 'emergency', requestId: 'log-4', at: at(4) }),
        );
        await audit.record(
          tx,
          entry({
            actor: { ...user, id: stranger, organisationId: orgless },
            childIds: [child],
            outcome: 'denied',
            requestId: null,
            at: at(5),
          }),
        );
      });

      const first = await audit.accessLog(child, 2);
      expect(first.data).toEqual([
        {
          seq: expect.stringMatching(/^\d+$/),
          at: at(5),
          action: 'child.read',
          outcome: 'denied',
          purpose: 'direct_safeguarding',
          breakGlass: false,
          actor: { kind: 'user', id: stranger, name: null },
          organisation: { id: orgless, name: null, type: null },
          requestId: null,
          subjectType: 'child',
          underGrant: null,
          underGrantFrom: null,
        },
        {
          seq: expect.stringMatching(/^\d+$/),
          at: at(4),
          action: 'child.read',
          outcome: 'allowed',
          purpose: 'emergency',
          breakGlass: true,
          actor: { kind: 'user', id: user.id, name: userName },
          organisation: { id: user.organisationId, name: userOrgName, type: expect.any(String) },
          requestId: 'log-4',
          subjectType: 'child',
          underGrant: null,
          underGrantFrom: null,
        },
      ]);
      expect(first.nextCursor).toEqual(expect.any(String));

      const second = await audit.accessLog(child, 2, first.nextCursor!);
      expect(second.data.map((e) => e.requestId)).toEqual(['log-2', 'log-1']);
      expect(second.data[0]).toMatchObject({
        action: 'child.search',
        actor: { kind: 'client', id: client.id, name: clientName },
        organisation: { id: client.organisationId, name: clientOrgName },
      });
      expect(second.nextCursor).toBeNull();

      const all = await audit.accessLog(child, 50);
      const seqs = all.data.map((e) => BigInt(e.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
      expect(all.data.map((e) => e.requestId)).toEqual([null, 'log-4', 'log-2', 'log-1']);
      expect((await audit.accessLog(other, 50)).data.map((e) => e.requestId)).toEqual(['log-3', 'log-2']);
    });

    it("reads inside the caller's transaction when given its manager", async () => {
      const child = randomUUID();
      await db.transaction(async (tx) => {
        await audit.record(tx, entry({ childIds: [child], action: 'access_log.read', requestId: 'in-tx' }));
        const page = await audit.accessLog(child, 10, undefined, tx);
        expect(page.data.map((e) => e.action)).toEqual(['access_log.read']);
      });
    });

    it('refuses a cursor it did not issue, and knows no child by a malformed id', async () => {
      const child = randomUUID();
      await expect(audit.accessLog(child, 10, 'not-a-cursor')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(audit.accessLog(child, 10, encodeCursor(['1; DROP TABLE x']))).rejects.toBeInstanceOf(DomainError);
      await expect(audit.accessLog('nope', 10)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await audit.accessLog(child, 10)).toEqual({ data: [], nextCursor: null });
    });
  });
});
