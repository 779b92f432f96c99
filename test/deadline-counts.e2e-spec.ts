/**
 * The kernel's read model of its deadlines (issue 16, decision 0014): a trigger on `deadline`
 * appends count deltas in the transaction of every change, the sweep folds them into buckets. After
 * opens, reschedules, closes, sweeps, a change of team, concurrent opens of one bucket and a
 * rollback, the model equals a count of the table from scratch; concurrent writers of one bucket
 * never wait for each other; the dashboard read from it equals counting the table.
 *
 * Clocks in March 2019 (a month no other test uses, before every other clock: the sweep run here
 * finds only these overdue), on a rule that tells nobody when overdue.
 */
import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { Deadlines, declareDeadlineRules, type DeadlineRulesOf, EscalationService } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

export const COUNT_TEST_RULES = declareDeadlineRules({
  'counts_test.reply': { description: 'A reply the read-model test waits for.', escalateTo: { local_authority: [] } },
});
declare module '@app/casework' {
  interface DeadlineRules extends DeadlineRulesOf<typeof COUNT_TEST_RULES> {}
}

const RULE = 'counts_test.reply' as const;
// A transaction held open beside others needs truly concurrent transactions, which the embedded
// PGlite (one backend, one transaction at a time) cannot give: those run on a real PostgreSQL, as in CI.
const itRealPostgres = process.env.DATABASE_URL ? it : ((() => undefined) as unknown as typeof it);
const INSPECTOR = 'inspector@inspectorate.example';
// Tuesday 12 March 2019, 10:30 UTC: mid-hour, so the current hour holds clocks on both sides of now.
const NOW = new Date('2019-03-12T10:30:00Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

/** The model (the view: buckets plus unfolded deltas) and the table counted from scratch, in one snapshot. */
async function modelAndScratch(t: TestContext): Promise<{ model: string[]; scratch: string[] }> {
  return t.db.transaction('REPEATABLE READ', async (tx) => {
    const model: { k: string }[] = await tx.query(
      `SELECT concat_ws('|', kind, organisation_id, coalesce(team_id::text, '-'), rule, extract(epoch FROM slot)::bigint, n) AS k
         FROM deadline_count`,
    );
    // Written independently of the model's functions: UTC hours and days by truncation.
    const scratch: { k: string }[] = await tx.query(
      `SELECT concat_ws('|', kind, organisation_id, coalesce(team_id::text, '-'), rule, extract(epoch FROM slot)::bigint, count(*)) AS k
         FROM (SELECT CASE WHEN state = 'open' THEN 'open'
                           WHEN state = 'met' AND closed_at <= due_at THEN 'met_in_time'
                           WHEN state = 'met' THEN 'met_late' ELSE state END AS kind,
                      organisation_id, CASE WHEN state = 'open' THEN team_id END AS team_id, rule,
                      CASE WHEN state = 'open' THEN date_trunc('hour', due_at AT TIME ZONE 'UTC')
                           ELSE date_trunc('day', closed_at AT TIME ZONE 'UTC') END AT TIME ZONE 'UTC' AS slot
                 FROM deadline) d
        GROUP BY kind, organisation_id, team_id, rule, slot`,
    );
    return { model: model.map((r) => r.k).sort(), scratch: scratch.map((r) => r.k).sort() };
  });
}

describe('the deadlines read model (casework kernel)', () => {
  let t: TestContext;
  let deadlines: Deadlines;
  let sweep: EscalationService;
  let nsc: string;
  let teamA: string;
  let teamB: string;
  const subject = () => ({ type: 'CountsTest', id: randomUUID() });
  const spec = (s: { type: string; id: string }, dueAt: Date, teamId: string | null = teamA) => ({
    subject: s,
    rule: RULE,
    dueAt,
    organisationId: nsc,
    teamId,
  });
  const expectExact = async () => {
    const { model, scratch } = await modelAndScratch(t);
    expect(model).toEqual(scratch);
  };
  const ours = async (): Promise<string[]> =>
    (
      await t.db.query(
        `SELECT kind, team_id, slot, n FROM deadline_count WHERE rule = $1 ORDER BY kind, team_id NULLS FIRST, slot`,
        [RULE],
      )
    ).map((r: any) => `${r.kind}|${r.team_id ?? '-'}|${new Date(r.slot).toISOString()}|${r.n}`);

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(NOW);
    deadlines = t.app.get(Deadlines, { strict: false });
    sweep = t.app.get(EscalationService, { strict: false });
    [{ id: nsc }] = await t.db.query(`SELECT id FROM organisation WHERE code = 'NSC'`);
    [{ id: teamA }, { id: teamB }] = await t.db.query(`SELECT id FROM team WHERE organisation_id = $1 ORDER BY name`, [
      nsc,
    ]);
  });
  afterAll(async () => {
    await t.db.query(`DELETE FROM deadline WHERE subject_type = 'CountsTest'`);
    await sweep.foldCounts();
    await t.close();
  });
  beforeEach(() => t.clock.set(NOW));
  afterEach(async () => {
    await t.db.query(`DELETE FROM deadline WHERE subject_type = 'CountsTest'`);
    await removeWork();
  });

  it('is kept exact through opens, reschedules, closes, a sweep and a change of team', async () => {
    await expectExact();
    const [a, b, c, d, e] = [subject(), subject(), subject(), subject(), subject()];
    await t.db.transaction(async (tx) => {
      await deadlines.open(tx, spec(a, at(-3)));
      await deadlines.open(tx, spec(b, at(-0.25)));
      await deadlines.open(tx, spec(c, at(0.25), null));
      await deadlines.open(tx, spec(d, at(5)));
      // Opening a running clock again with an earlier time moves it (another hour).
      await deadlines.open(tx, spec(d, at(4)));
      await deadlines.open(tx, spec(e, at(3.2)));
    });
    await expectExact();
    expect(await ours()).toEqual([
      `open|-|2019-03-12T10:00:00.000Z|1`,
      `open|${teamA}|2019-03-12T07:00:00.000Z|1`,
      `open|${teamA}|2019-03-12T10:00:00.000Z|1`,
      `open|${teamA}|2019-03-12T13:00:00.000Z|1`,
      `open|${teamA}|2019-03-12T14:00:00.000Z|1`,
    ]);

    await t.db.transaction(async (tx) => {
      await deadlines.reschedule(tx, a, RULE, at(-2.9)); // same hour: no delta
      await deadlines.reschedule(tx, d, RULE, at(30)); // another day
    });
    await expectExact();

    // The sweep marks a and b overdue (no count moves) and folds every delta into the buckets.
    expect((await sweep.run()).marked).toBeGreaterThanOrEqual(2);
    expect(Number((await t.db.query('SELECT count(*) AS n FROM deadline_count_delta'))[0].n)).toBe(0);
    await expectExact();

    // A hand-over to another team (the kernel's: the old clock closes 'handed_over', the same clock
    // runs for the new team) moves the open count to the new team's bucket; a plain change of team too.
    expect(await t.db.transaction((tx) => deadlines.handOver(tx, a, { teamId: teamB }))).toBe(1);
    await t.db.query(`UPDATE deadline SET team_id = $1 WHERE subject_id = $2 AND state = 'open'`, [teamA, c.id]);
    await expectExact();
    expect((await ours()).filter((r) => r.includes(teamB))).toEqual([`open|${teamB}|2019-03-12T07:00:00.000Z|1`]);
    expect((await ours()).filter((r) => r.startsWith('handed_over'))).toEqual([
      `handed_over|-|2019-03-12T00:00:00.000Z|1`,
    ]);

    // Closes: met in time, met late, cancelled: by closing day and outcome.
    t.clock.set(at(1));
    await t.db.transaction(async (tx) => {
      expect(await deadlines.close(tx, a, 'met')).toBe(1);
      expect(await deadlines.close(tx, c, 'met')).toBe(1);
      expect(await deadlines.close(tx, e, 'met')).toBe(1);
      expect(await deadlines.close(tx, d, 'cancelled')).toBe(1);
    });
    await expectExact();
    expect((await ours()).filter((r) => !r.startsWith('open'))).toEqual([
      `cancelled|-|2019-03-12T00:00:00.000Z|1`,
      `handed_over|-|2019-03-12T00:00:00.000Z|1`,
      `met_in_time|-|2019-03-12T00:00:00.000Z|1`,
      `met_late|-|2019-03-12T00:00:00.000Z|2`,
    ]);
    await sweep.foldCounts();
    await expectExact();
    await t.db.query(`DELETE FROM deadline WHERE subject_id = ANY($1)`, [[a.id, b.id, c.id, d.id, e.id]]);
    await expectExact();
    expect(await ours()).toEqual([]);
  });

  it('leaves nothing behind when the transaction rolls back', async () => {
    await sweep.foldCounts();
    const before = await ours();
    await expect(
      t.db.transaction(async (tx) => {
        await deadlines.open(tx, spec(subject(), at(2)));
        await deadlines.open(tx, spec(subject(), at(3)));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await ours()).toEqual(before);
    await expectExact();
  });

  it('counts concurrent opens of one bucket, folded or not', async () => {
    await Promise.all(
      Array.from({ length: 12 }, () => t.db.transaction((tx) => deadlines.open(tx, spec(subject(), at(2.2))))),
    );
    expect(await ours()).toEqual([`open|${teamA}|2019-03-12T12:00:00.000Z|12`]);
    await expectExact();
    expect(await sweep.foldCounts()).toBeGreaterThanOrEqual(12);
    expect(await ours()).toEqual([`open|${teamA}|2019-03-12T12:00:00.000Z|12`]);
    await expectExact();
  });

  itRealPostgres(
    'never makes writers of one bucket wait for each other, and a fold waits for none of them',
    async () => {
      const runners: QueryRunner[] = [];
      const held = async () => {
        const qr = t.db.createQueryRunner();
        runners.push(qr);
        await qr.connect();
        await qr.startTransaction();
        return qr;
      };
      try {
        // A transaction holds a new clock in the bucket, uncommitted...
        const first = await held();
        await deadlines.open(first.manager, spec(subject(), at(2)));
        // ...while others open clocks in the same bucket and commit, and the sweep folds.
        const others = Promise.all(
          Array.from({ length: 8 }, () => t.db.transaction((tx) => deadlines.open(tx, spec(subject(), at(2.2))))),
        );
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('writers waited')), 5_000).unref(),
        );
        await Promise.race([others, timeout]);
        expect(await Promise.race([sweep.foldCounts(), timeout])).toBeGreaterThanOrEqual(8);
        expect((await ours()).filter((r) => r.includes('T12:00'))).toEqual([
          `open|${teamA}|2019-03-12T12:00:00.000Z|8`,
        ]);
        await first.commitTransaction();
        expect((await ours()).filter((r) => r.includes('T12:00'))).toEqual([
          `open|${teamA}|2019-03-12T12:00:00.000Z|9`,
        ]);
        await expectExact();

        // One fold at a time: another caller returns at once.
        const folding = await held();
        expect((await folding.query('SELECT deadline_count_fold() AS f'))[0].f).toBeGreaterThanOrEqual(1);
        expect(await sweep.foldCounts()).toBe(-1);
        await folding.commitTransaction();
        await expectExact();
      } finally {
        for (const qr of runners) {
          if (qr.isTransactionActive) await qr.rollbackTransaction();
          await qr.release();
        }
      }
    },
  );

  it('gives the dashboard exactly the counts of the table, in the hours now and soon fall in too', async () => {
    const due = [-30, -3, -0.4, -0.1, 0.1, 0.45, 5, 23.9, 24.1, 24.6, 50];
    await t.db.transaction(async (tx) => {
      for (const [i, h] of due.entries()) await deadlines.open(tx, spec(subject(), at(h), i % 2 ? teamA : null));
    });
    // Part folded, part not: the dashboard sums both.
    await sweep.foldCounts();
    await t.db.transaction((tx) => deadlines.open(tx, spec(subject(), at(-0.2), teamB)));
    const direct = async () =>
      (
        await t.db.query(
          `SELECT team_id AS "teamId", count(*)::int AS open,
                  count(*) FILTER (WHERE due_at < $2)::int AS overdue,
                  count(*) FILTER (WHERE due_at >= $2 AND due_at < $3)::int AS "dueSoon",
                  min(due_at) FILTER (WHERE due_at < $2) AS "oldestOverdueSince", min(due_at) AS "nextDue"
             FROM deadline WHERE state = 'open' AND rule = $1 GROUP BY team_id`,
          [RULE, NOW, at(24)],
        )
      )
        .map((r: any) => ({
          ...r,
          oldestOverdueSince: r.oldestOverdueSince ? new Date(r.oldestOverdueSince).toISOString() : null,
          nextDue: new Date(r.nextDue).toISOString(),
        }))
        .sort((x: any, y: any) => String(x.teamId).localeCompare(String(y.teamId)));
    const res = await t.http
      .get('/api/v1/oversight/dashboard?dueSoonHours=24')
      .set('Authorization', await t.as(INSPECTOR));
    expect(res.status).toBe(200);
    const rows = (res.body.open as any[])
      .filter((r) => r.rule === RULE)
      .map(({ teamId, open, overdue, dueSoon, oldestOverdueSince, nextDue }) => ({
        teamId,
        open,
        overdue,
        dueSoon,
        oldestOverdueSince,
        nextDue,
      }))
      .sort((x, y) => String(x.teamId).localeCompare(String(y.teamId)));
    expect(rows).toEqual(await direct());
    expect(rows.reduce((s, r) => s + r.open, 0)).toBe(due.length + 1);
  });

  /** The kernel's counters of received work and the tables counted from scratch, in one snapshot (or transaction). */
  const workAndScratch = async (q: { query: (sql: string) => Promise<{ k: string }[]> }) => {
    const model = await q.query(
      `SELECT concat_ws('|', counter, organisation_id, coalesce(a, '-'), coalesce(b, '-'), extract(epoch FROM slot)::bigint, n) AS k
         FROM work_count`,
    );
    const scratch = await q.query(
      `SELECT concat_ws('|', counter, organisation_id, coalesce(a, '-'), coalesce(b, '-'), extract(epoch FROM slot)::bigint, count(*)) AS k
         FROM (SELECT 'referral' AS counter, to_organisation_id AS organisation_id, status AS a, outcome AS b,
                      date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS slot FROM referral
               UNION ALL
               SELECT 'information_request', to_organisation_id, status,
                      CASE WHEN decided_at <= due_at THEN 'in_time' ELSE '' END,
                      date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM information_request) w
        GROUP BY counter, organisation_id, a, b, slot`,
    );
    return { model: model.map((r) => r.k).sort(), scratch: scratch.map((r) => r.k).sort() };
  };

  /** Received work in March 2019 (the referrals and requests this file writes, marked 'counts_test'). */
  const seedWork = async (q: { query: (sql: string, params?: unknown[]) => Promise<any[]> }) => {
    const [{ ssc }] = await q.query(`SELECT id AS ssc FROM organisation WHERE code = 'SSC'`);
    const [{ actor }] = await q.query(`SELECT id AS actor FROM app_user ORDER BY id LIMIT 1`);
    const at = ['2019-03-05T08:00:00Z', '2019-03-05T15:00:00Z', '2019-03-07T10:00:00Z', '2019-03-09T23:30:00Z'];
    const referrals: { id: string }[] = [];
    const requests: { id: string }[] = [];
    for (const [i, created] of at.entries()) {
      const [r] = await q.query(
        `INSERT INTO referral (from_organisation_id, from_actor_id, to_organisation_id, to_team_id, reason, rag,
                               consent_obtained, status, outcome, urgency, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'counts_test', 'GREEN', true, $5, $6, 1, $7, $7) RETURNING id`,
        [ssc, actor, nsc, teamA, i % 2 ? 'CLOSED' : 'SUBMITTED', i % 2 ? 'nfa' : null, created],
      );
      referrals.push(r);
      const [ir] = await q.query(
        `INSERT INTO information_request (from_organisation_id, from_actor_id, to_organisation_id, identification,
                                          purpose, classes_requested, urgency, due_at, status, decided_at, created_at)
         VALUES ($1, $2, $3, '{}', 'counts_test', '{}', 'standard', $4::timestamptz + interval '2 days', $5::text,
                 CASE WHEN $5::text = 'REQUESTED' THEN NULL ELSE $4::timestamptz + interval '${i} days' END, $4) RETURNING id`,
        [ssc, actor, nsc, created, ['REQUESTED', 'DISCLOSED', 'DECLINED', 'DISCLOSED'][i]],
      );
      requests.push(ir);
    }
    return { referrals, requests };
  };
  const removeWork = async () => {
    await t.db.query(`DELETE FROM referral WHERE reason = 'counts_test'`);
    await t.db.query(`DELETE FROM information_request WHERE purpose = 'counts_test'`);
    await sweep.foldCounts();
  };

  it('counts received referrals and requests exactly through changes of status, new rows, deletions and a fold', async () => {
    await sweep.foldCounts();
    let checked = false;
    await expect(
      t.db.transaction(async (tx) => {
        const exact = async (someRows = true) => {
          const { model, scratch } = await workAndScratch(tx);
          if (someRows) expect(model.length).toBeGreaterThan(0);
          expect(model).toEqual(scratch);
        };
        await exact(false);
        const { referrals, requests } = await seedWork(tx);
        await exact();
        const [ref, req] = [referrals[0]!, requests[0]!];
        await tx.query(`UPDATE referral SET status = 'CLOSED', outcome = 'counts_test' WHERE id = $1`, [ref.id]);
        await tx.query(`UPDATE referral SET created_at = created_at - interval '3 days' WHERE id = $1`, [ref.id]);
        await tx.query(
          `UPDATE information_request SET status = 'DISCLOSED', decided_at = due_at - interval '1 hour' WHERE id = $1`,
          [req.id],
        );
        await exact();
        await tx.query(`SELECT work_count_fold()`);
        await exact();
        await tx.query(`UPDATE information_request SET decided_at = due_at + interval '1 hour' WHERE id = $1`, [
          req.id,
        ]);
        await tx.query(`DELETE FROM referral WHERE id = $1`, [ref.id]);
        await exact();
        checked = true;
        throw new Error('undone');
      }),
    ).rejects.toThrow('undone');
    expect(checked).toBe(true);
    const { model, scratch } = await t.db.transaction('REPEATABLE READ', (tx) => workAndScratch(tx));
    expect(model).toEqual(scratch);
  });

  it('gives the dashboard exactly the referrals and requests of a direct count, a part-day included', async () => {
    // Since falls at 07:59 on 5 March: that day is read from the tables, later days from the buckets.
    await seedWork(t.db);
    const since = new Date('2019-03-05T07:59:00Z');
    t.clock.set(new Date(since.getTime() + 30 * 86_400_000));
    const res = await t.http
      .get('/api/v1/oversight/dashboard?sinceDays=30')
      .set('Authorization', await t.as(INSPECTOR));
    expect(res.status).toBe(200);
    const referrals = await t.db.query(
      `SELECT to_organisation_id AS "organisationId", status, outcome, count(*)::int AS count
         FROM referral WHERE created_at >= $1 GROUP BY 1, 2, 3`,
      [since],
    );
    const requests = await t.db.query(
      `SELECT to_organisation_id AS "organisationId", count(*)::int AS received,
              count(*) FILTER (WHERE status = 'DISCLOSED')::int AS disclosed,
              count(*) FILTER (WHERE status = 'DECLINED')::int AS declined,
              count(*) FILTER (WHERE status = 'REQUESTED')::int AS awaiting,
              count(*) FILTER (WHERE decided_at IS NOT NULL AND decided_at <= due_at)::int AS "answeredInTime"
         FROM information_request WHERE created_at >= $1 GROUP BY 1`,
      [since],
    );
    const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(referrals.length).toBeGreaterThan(1);
    expect(
      sorted(
        (res.body.referrals as any[]).map(({ organisationId, status, outcome, count }) => ({
          organisationId,
          status,
          outcome,
          count,
        })),
      ),
    ).toEqual(sorted(referrals));
    expect(
      sorted(
        (res.body.requests as any[]).map(
          ({ organisationId, received, disclosed, declined, awaiting, answeredInTime }) => ({
            organisationId,
            received,
            disclosed,
            declined,
            awaiting,
            answeredInTime,
          }),
        ),
      ),
    ).toEqual(sorted(requests));
  });
});
