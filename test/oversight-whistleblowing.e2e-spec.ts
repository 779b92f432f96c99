/**
 * Whistleblowing to the independent inspectorate (issue 16): anyone reports anonymously, nothing
 * identifying is stored or logged, the reporter follows up with a reference and a one-time secret
 * (a wrong secret answers exactly as an unknown reference), the inspectorate's whistleblowing
 * officer triages, assigns, replies and closes, an unacknowledged report escalates after 2 working
 * days, and the organisation concerned never lists or reads reports.
 */
import { EscalationService } from '@app/casework';
import request from 'supertest';
import { startTestApp, type TestContext } from './support/app';
import { spawnTs, type TsChild } from './support/child-process';

const OFFICER = 'whistleblowing@inspectorate.example';
const INSPECTOR = 'inspector@inspectorate.example';
const NSC_ADMIN = 'admin@northshire-council.example';
const NSC_DPO = 'dpo@northshire-council.example';
const NSC_TM = 'team.manager@northshire-council.example';
// Monday 30 November 2026, 10:00 in London.
const MONDAY = new Date('2026-11-30T10:00:00Z');

const USER_AGENT = 'Distinctive-Reporter-Agent/7.3 (canary-ua-5521)';
const FORWARDED = '203.0.113.77';
const TEXT = 'Canary-text-8842: the duty team closes cases unseen to meet targets.';

describe('whistleblowing (oversight)', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  const report = (body: object) => t.http.post('/api/v1/whistleblowing/reports').send(body);
  const followUp = (reference: string, secret: string) =>
    t.http.post('/api/v1/whistleblowing/reports/follow-up').send({ reference, secret });
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const post = async (who: string, url: string, body: object, ifMatch?: string) => {
    const r = t.http.post(url).set('Authorization', await t.as(who));
    if (ifMatch) void r.set('If-Match', ifMatch);
    return r.send(body);
  };

  beforeAll(async () => {
    t = await startTestApp({ WHISTLEBLOWING_FOLLOW_UP_FAILURES_PER_HOUR: '4' });
    t.clock.set(MONDAY);
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
  });
  afterAll(() => t.close());

  describe('anonymous, and nothing identifying kept', () => {
    let child: TsChild;
    let base: ReturnType<typeof request>;
    beforeAll(async () => {
      child = spawnTs('test/support/logging-app.main.ts', { LOG_LEVEL: 'debug' });
      const { port } = await child.waitFor<{ port: number }>((l) => typeof l.port === 'number');
      base = request(`http://127.0.0.1:${port}`);
    });
    afterAll(() => child.stop());

    it('stores no address, user agent, secret or plain text, and logs none of them', async () => {
      // Only what the reporter's own requests wrote: the run's database holds other files' officers' events.
      const [{ seq: before }] = await t.db.query('SELECT coalesce(max(seq), 0)::bigint AS seq FROM audit_event');
      const res = await base
        .post('/api/v1/whistleblowing/reports')
        .set('User-Agent', USER_AGENT)
        .set('X-Forwarded-For', FORWARDED)
        .send({ concernedOrganisationId: orgs.NSC, category: 'practice', text: TEXT });
      expect(res.status).toBe(201);
      expect(res.body.reference).toMatch(/^WB-[A-Z0-9]{10}$/);
      const { reference, secret } = res.body as { reference: string; secret: string };
      const read = await base
        .post('/api/v1/whistleblowing/reports/follow-up')
        .set('User-Agent', USER_AGENT)
        .set('X-Forwarded-For', FORWARDED)
        .send({ reference, secret });
      expect(read.status).toBe(200);
      expect(read.body.messages[0].text).toBe(TEXT);

      // The rows: every column of the report and its messages, as text.
      const [row] = await t.db.query('SELECT * FROM whistleblowing_report WHERE reference = $1', [reference]);
      expect(row).toBeDefined();
      const rows = JSON.stringify([
        row,
        await t.db.query('SELECT * FROM whistleblowing_message WHERE report_id = $1', [row.id]),
        await t.db.query('SELECT * FROM whistleblowing_attempt'),
      ]);
      for (const canary of ['canary-ua-5521', FORWARDED, '127.0.0.1', secret, 'Canary-text-8842']) {
        expect(rows).not.toContain(canary);
      }
      expect(row.secret_hash).toMatch(/^\$argon2id\$/);
      // Nothing about the reporter in the audit log either (they are no actor).
      const audit = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_event
          WHERE seq > $3 AND ($1 = ANY(subject_ids) OR client_ip = $2 OR (client_ip = '127.0.0.1' AND action LIKE 'whistleblowing%'))`,
        [row.id, FORWARDED, before],
      );
      expect(audit[0].n).toBe(0);

      // The log lines of both requests: there, and without any of it.
      const lines = child
        .output()
        .split('\n')
        .filter((l) => l.includes('/api/v1/whistleblowing/reports'));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      const log = child.output();
      for (const canary of ['canary-ua-5521', FORWARDED, secret, 'Canary-text-8842', reference]) {
        expect(log).not.toContain(canary);
      }
      expect(log).not.toMatch(/remoteAddress|user-agent/i);
    });
  });

  describe('follow-up by reference and secret', () => {
    let reference: string;
    let secret: string;
    beforeAll(async () => {
      const res = await report({ category: 'handling_of_a_child', text: 'The school ignored what the child said.' });
      expect(res.status).toBe(201);
      ({ reference, secret } = res.body);
    });

    it('reads with the right secret; a wrong secret answers exactly as an unknown reference', async () => {
      expect((await followUp(reference, secret)).status).toBe(200);
      const wrong = await followUp(reference, `${secret}x`);
      const unknown = await followUp('WB-ZZZZZZZZZZ', secret);
      expect(wrong.status).toBe(404);
      expect(unknown.status).toBe(404);
      const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined, requestId: undefined });
      expect(strip(wrong.body)).toEqual(strip(unknown.body));
      expect(wrong.body.messages).toBeUndefined();
      expect(JSON.stringify(wrong.body)).not.toContain('ignored');
    });

    it('refuses a malformed reference with problem+json naming it, writing nothing', async () => {
      const before = await t.db.query('SELECT count(*)::int AS n FROM whistleblowing_report');
      const res = await t.http.post('/api/v1/whistleblowing/reports/follow-up').send({ reference: 'nope', secret });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.body.errors)).toContain('reference');
      const bad = await report({ category: 'gossip', text: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['category', 'text']);
      const unknownOrg = await report({ category: 'practice', text: 'x', concernedOrganisationId: orgs.INSP });
      expect(unknownOrg.status).toBe(400);
      expect(unknownOrg.body.errors[0].field).toBe('concernedOrganisationId');
      expect(await t.db.query('SELECT count(*)::int AS n FROM whistleblowing_report')).toEqual(before);
    });

    it('holds the wrong-secret limit when the guesses come all at once', async () => {
      const target = (await report({ category: 'other', text: 'Guess me in parallel.' })).body as {
        reference: string;
        secret: string;
      };
      const statuses = await Promise.all(Array.from({ length: 12 }, () => followUp(target.reference, 'guess')));
      const count = (s: number) => statuses.filter((r) => r.status === s).length;
      expect([count(404), count(429)]).toEqual([4, 8]);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM whistleblowing_attempt WHERE key = 'ref:' || encode(sha256($1::bytea), 'hex')`,
        [target.reference],
      );
      expect(n).toBe(4);
      t.clock.set(new Date(MONDAY.getTime() + 61 * 60_000));
      // A right secret is never counted against the reference.
      expect((await followUp(target.reference, target.secret)).status).toBe(200);
      expect((await followUp(target.reference, target.secret)).status).toBe(200);
      t.clock.set(MONDAY);
    });

    it('limits wrong secrets per reference without identity, the same for unknown references', async () => {
      const victim = (await report({ category: 'other', text: 'Limit me.' })).body as {
        reference: string;
        secret: string;
      };
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await followUp(victim.reference, 'guess')).status);
      expect(statuses).toEqual([404, 404, 404, 404, 429]);
      // Even the right secret waits now (the limit cannot tell who is asking).
      expect((await followUp(victim.reference, victim.secret)).status).toBe(429);
      const ghost: number[] = [];
      for (let i = 0; i < 5; i++) ghost.push((await followUp('WB-QQQQQQQQQQ', 'guess')).status);
      expect(ghost).toEqual([404, 404, 404, 404, 429]);
      t.clock.set(new Date(MONDAY.getTime() + 61 * 60_000));
      expect((await followUp(victim.reference, victim.secret)).status).toBe(200);
      t.clock.set(MONDAY);
    });
  });

  describe("the inspectorate's officer", () => {
    let id: string;
    let reference: string;
    let secret: string;
    beforeAll(async () => {
      t.clock.set(MONDAY);
      const res = await report({ concernedOrganisationId: orgs.NSC, category: 'practice', text: 'Worry about MASH.' });
      ({ reference, secret } = res.body);
      [{ id }] = await t.db.query('SELECT id FROM whistleblowing_report WHERE reference = $1', [reference]);
    });

    it('is told of a new report; the organisation concerned and the inspector cannot list or read it', async () => {
      const notes = (await get(OFFICER, '/api/v1/notifications')).body.data as { kind: string; subjectId: string }[];
      expect(notes.some((n) => n.kind === 'whistleblowing.received' && n.subjectId === id)).toBe(true);
      for (const who of [NSC_ADMIN, NSC_DPO, NSC_TM, INSPECTOR]) {
        expect((await get(who, '/api/v1/whistleblowing/reports')).status).toBe(403);
        expect((await get(who, `/api/v1/whistleblowing/reports/${id}`)).status).toBe(403);
        const n = (await get(who, '/api/v1/notifications')).body.data as { subjectId: string }[];
        expect(n.some((x) => x.subjectId === id)).toBe(false);
      }
      expect((await t.http.get('/api/v1/whistleblowing/reports')).status).toBe(401);
    });

    it('lists and reads the report (decrypted), every read audited', async () => {
      const list = await get(OFFICER, '/api/v1/whistleblowing/reports?status=received');
      expect(list.status).toBe(200);
      expect(list.body.data.map((r: { id: string }) => r.id)).toContain(id);
      const one = await get(OFFICER, `/api/v1/whistleblowing/reports/${id}`);
      expect(one.status).toBe(200);
      expect(one.body.messages.map((m: { text: string }) => m.text)).toEqual(['Worry about MASH.']);
      // By the end of the second working day (Monday -> Wednesday).
      expect(one.body.dueAt).toBe('2026-12-02T23:59:59.999Z');
      const audit = await t.db.query(`SELECT action FROM audit_event WHERE $1 = ANY(subject_ids) ORDER BY seq`, [id]);
      expect(audit.map((a: { action: string }) => a.action)).toEqual(
        expect.arrayContaining(['whistleblowing.list', 'whistleblowing.read']),
      );
    });

    it('escalates to the whistleblowing officers when unacknowledged after 2 working days', async () => {
      const svc = t.app.get(EscalationService, { strict: false });
      t.clock.set(new Date('2026-12-02T23:58:00Z'));
      await svc.run();
      const levels = async () =>
        (
          await t.db.query(
            `SELECT e.level FROM escalation e JOIN deadline d ON d.id = e.deadline_id WHERE d.subject_id = $1`,
            [id],
          )
        ).map((r: { level: number }) => r.level);
      expect(await levels()).toEqual([]);
      t.clock.set(new Date('2026-12-03T00:01:00Z'));
      await svc.run();
      expect(await levels()).toEqual([1]);
      const notes = (await get(OFFICER, '/api/v1/notifications')).body.data as { kind: string; subjectId: string }[];
      expect(notes.some((n) => n.kind === 'escalation.level1' && n.subjectId === id)).toBe(true);
      t.clock.set(MONDAY);
    });

    it('acknowledges, assigns, replies and closes: a state machine with If-Match', async () => {
      const url = `/api/v1/whistleblowing/reports/${id}`;
      // Later than the report, so its messages come after the reporter's first one (same time: no order).
      t.clock.set(new Date(MONDAY.getTime() + 3_600_000));
      const v = (await get(OFFICER, url)).body.version as number;
      expect((await post(OFFICER, `${url}/transitions`, { to: 'acknowledged' })).status).toBe(428);
      const early = await post(OFFICER, `${url}/transitions`, { to: 'closed', outcome: 'no_further_action' }, `"${v}"`);
      expect(early.status).toBe(409);
      expect(early.body.allowed).toEqual(['acknowledged']);
      const ack = await post(OFFICER, `${url}/transitions`, { to: 'acknowledged' }, `"${v}"`);
      expect(ack.status).toBe(200);
      expect(ack.body.status).toBe('acknowledged');
      const open = await t.db.query(`SELECT state FROM deadline WHERE subject_id = $1`, [id]);
      expect(open).toEqual([{ state: 'met' }]);
      expect((await post(OFFICER, `${url}/transitions`, { to: 'assigned' }, `"${v}"`)).status).toBe(412);
      const [officer] = await t.db.query('SELECT id FROM app_user WHERE email = $1', [OFFICER]);
      const [inspector] = await t.db.query('SELECT id FROM app_user WHERE email = $1', [INSPECTOR]);
      const notOfficer = await post(
        OFFICER,
        `${url}/transitions`,
        { to: 'assigned', assigneeId: inspector.id },
        `"${v + 1}"`,
      );
      expect(notOfficer.status).toBe(400);
      expect(notOfficer.body.errors[0].field).toBe('assigneeId');
      const assigned = await post(
        OFFICER,
        `${url}/transitions`,
        { to: 'assigned', assigneeId: officer.id },
        `"${v + 1}"`,
      );
      expect(assigned.status).toBe(200);
      expect(assigned.body.assignedTo).toBe(officer.id);

      expect(
        (await post(OFFICER, `${url}/replies`, { audience: 'reporter', text: 'Thank you: we are looking.' })).status,
      ).toBe(200);
      expect(
        (await post(OFFICER, `${url}/replies`, { audience: 'inspectorate', text: 'Internal: check MASH logs.' }))
          .status,
      ).toBe(200);
      expect(
        (await post(OFFICER, `${url}/replies`, { audience: 'organisation', text: 'Please review MASH closures.' }))
          .status,
      ).toBe(200);
      const seen = await followUp(reference, secret);
      expect(seen.body.messages.map((m: { text: string }) => m.text)).toEqual([
        'Worry about MASH.',
        'Thank you: we are looking.',
      ]);
      // The organisation concerned hears only that there is a notice, through its data protection officer.
      const dpoNotes = (await get(NSC_DPO, '/api/v1/notifications')).body.data as { kind: string; message: string }[];
      const notice = dpoNotes.find((n) => n.kind === 'whistleblowing.notice');
      expect(notice).toBeDefined();
      expect(notice!.message).not.toMatch(/MASH|Worry/);
      const added = await t.http
        .post('/api/v1/whistleblowing/reports/follow-up/messages')
        .send({ reference, secret, text: 'It happened again on Friday.' });
      expect(added.status).toBe(200);
      const closed = await post(
        OFFICER,
        `${url}/transitions`,
        { to: 'closed', outcome: 'substantiated' },
        `"${v + 2}"`,
      );
      expect(closed.status).toBe(200);
      expect(closed.body.outcome).toBe('substantiated');
      const after = await followUp(reference, secret);
      expect(after.body).toMatchObject({ status: 'closed', outcome: 'substantiated' });
      const late = await t.http
        .post('/api/v1/whistleblowing/reports/follow-up/messages')
        .send({ reference, secret, text: 'One more thing.' });
      expect(late.status).toBe(409);
      const again = await post(OFFICER, `${url}/transitions`, { to: 'closed', outcome: 'substantiated' }, `"${v + 3}"`);
      expect(again.status).toBe(409);
      expect(again.body.allowed).toEqual([]);
    });
  });

  describe('rate limit on new reports, without identity', () => {
    let u: TestContext;
    afterAll(() => u?.close());
    it('refuses reports beyond the hourly limit from everybody together', async () => {
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM whistleblowing_attempt WHERE key = 'create' AND at > $1`,
        [new Date(MONDAY.getTime() - 3_600_000)],
      );
      u = await startTestApp({ WHISTLEBLOWING_REPORTS_PER_HOUR: String(n + 2) });
      u.clock.set(MONDAY);
      const send = () => u.http.post('/api/v1/whistleblowing/reports').send({ category: 'other', text: 'x' });
      expect([(await send()).status, (await send()).status, (await send()).status]).toEqual([201, 201, 429]);
      u.clock.set(new Date(MONDAY.getTime() + 3_700_000));
      expect((await send()).status).toBe(201);
    });
  });
});
