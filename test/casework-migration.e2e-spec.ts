/**
 * Migration 1795887000000 (the casework kernel) on data written before it: open work keeps its
 * clock (due time and escalation state) as a deadline, escalations keep belonging to what they
 * escalated, local timescales keep their values; `down` gives the old shape back. All inside one
 * transaction that is rolled back, so the run's database is left as it was.
 */
import { randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { buildDataSourceOptions } from '@app/platform';
import { CaseworkKernel1795887000000 } from '../migrations/1795887000000-CaseworkKernel';
import { SCHEMA } from '../migrations/schema';

describe('migration CaseworkKernel1795887000000 on existing data', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await new DataSource(
      buildDataSourceOptions(process.env.TEST_DATABASE_URL!, SCHEMA, { poolMax: 1 }),
    ).initialize();
  });
  afterAll(() => ds.destroy());

  it('turns clocks, escalations and local timescales into the kernel tables, and back', async () => {
    const qr: QueryRunner = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      const migration = new CaseworkKernel1795887000000();
      await migration.down(qr);
      const q = (sql: string, params: unknown[] = []) => qr.query(sql, params);
      const org = async (code: string) => (await q('SELECT id FROM organisation WHERE code = $1', [code]))[0].id;
      const team = async (code: string, name: string) =>
        (
          await q(
            'SELECT t.id FROM team t JOIN organisation o ON o.id = t.organisation_id WHERE o.code = $1 AND t.name = $2',
            [code, name],
          )
        )[0].id;
      const [rva, nsc, ssp] = [await org('RVA'), await org('NSC'), await org('SSP')];
      const [rvaTeam, nscMash] = [await team('RVA', 'Safeguarding'), await team('NSC', 'MASH')];
      const user = (await q(`SELECT id FROM app_user WHERE email = 'dsl@riverside-academy.example'`))[0].id;
      const t0 = new Date('2026-11-02T09:00:00Z');
      const due = new Date('2026-11-03T23:59:59.999Z');
      const overdue = new Date('2026-11-04T09:00:00Z');
      const next = new Date('2026-11-04T23:59:59.999Z');

      const concern = async (status: string, decidedAt: Date | null) =>
        (
          await q(
            `INSERT INTO concern (organisation_id, team_id, reporter_id, category, what_was_seen, occurred_at, status, urgency,
                                  due_at, overdue_at, next_escalation_at, decided_at, created_at)
             VALUES ($1, $2, $3, 'neglect', 'migration', $4, $5, 4, $6, $7, $8, $9, $4) RETURNING id`,
            [
              rva,
              rvaTeam,
              user,
              t0,
              status,
              due,
              status === 'OPEN' ? overdue : null,
              status === 'OPEN' ? next : null,
              decidedAt,
            ],
          )
        )[0].id;
      const referral = async (status: string) =>
        (
          await q(
            `INSERT INTO referral (from_organisation_id, from_actor_id, to_organisation_id, to_team_id, reason, rag,
                                   consent_obtained, status, urgency, due_at, overdue_at, next_escalation_at, created_at)
             VALUES ($1, $2, $3, $4, 'migration', 'RED', true, $5, 1, $6, $7, $8, $9) RETURNING id`,
            [
              rva,
              user,
              nsc,
              nscMash,
              status,
              status === 'SUBMITTED' ? due : null,
              status === 'SUBMITTED' ? overdue : null,
              null,
              t0,
            ],
          )
        )[0].id;
      const escalate = (type: string, id: string, level: number, organisationId: string, teamId: string | null) =>
        q(
          `INSERT INTO escalation (subject_type, subject_id, level, organisation_id, team_id, due_at, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [type, id, level, organisationId, teamId, due, level === 1 ? overdue : next],
        );

      const openConcern = await concern('OPEN', null);
      const decidedConcern = await concern('NO_FURTHER_ACTION', new Date('2026-11-05T10:00:00Z'));
      await escalate('Concern', decidedConcern, 1, rva, rvaTeam);
      const openReferral = await referral('SUBMITTED');
      await escalate('Referral', openReferral, 1, nsc, nscMash);
      await escalate('Referral', openReferral, 2, nsc, null);
      const withdrawn = await referral('WITHDRAWN');
      await escalate('Referral', withdrawn, 1, nsc, nscMash);
      const request = (
        await q(
          `INSERT INTO information_request (from_organisation_id, from_actor_id, to_organisation_id, identification, purpose,
                                            classes_requested, urgency, status, due_at, created_at)
           VALUES ($1, $2, $3, '{}', 'migration', '{identity}', 'urgent', 'REQUESTED', $4, $5) RETURNING id`,
          [ssp, user, nsc, due, t0],
        )
      )[0].id;
      const orphan = randomUUID();
      await escalate('Referral', orphan, 1, nsc, nscMash);
      await q(`DELETE FROM organisation_timescales WHERE organisation_id = $1`, [nsc]);
      await q(`INSERT INTO organisation_timescales (organisation_id, info_request_urgent_hours) VALUES ($1, 2)`, [nsc]);

      await migration.up(qr);

      const deadline = async (id: string) =>
        (
          await q(
            `SELECT subject_type, rule, state, organisation_id, team_id, due_at, overdue_at, next_escalation_at,
                    closed_at, opened_at FROM deadline WHERE subject_id = $1`,
            [id],
          )
        ).map((d: any) => ({ ...d }));
      expect(await deadline(openConcern)).toEqual([
        {
          subject_type: 'Concern',
          rule: 'concern.decision',
          state: 'open',
          organisation_id: rva,
          team_id: rvaTeam,
          due_at: due,
          overdue_at: overdue,
          next_escalation_at: next,
          closed_at: null,
          opened_at: t0,
        },
      ]);
      expect(await deadline(decidedConcern)).toEqual([
        expect.objectContaining({ state: 'met', closed_at: new Date('2026-11-05T10:00:00Z'), overdue_at: overdue }),
      ]);
      expect(await deadline(openReferral)).toEqual([
        expect.objectContaining({
          rule: 'referral.decision',
          state: 'open',
          organisation_id: nsc,
          team_id: nscMash,
          due_at: due,
          overdue_at: overdue,
        }),
      ]);
      expect(await deadline(withdrawn)).toEqual([expect.objectContaining({ state: 'cancelled' })]);
      expect(await deadline(request)).toEqual([
        expect.objectContaining({
          rule: 'information_request.decision',
          state: 'open',
          organisation_id: nsc,
          team_id: null,
        }),
      ]);
      const levels = async (id: string) =>
        (
          await q(
            `SELECT e.level FROM escalation e JOIN deadline d ON d.id = e.deadline_id WHERE d.subject_id = $1 ORDER BY e.level`,
            [id],
          )
        ).map((e: any) => e.level);
      expect(await levels(openReferral)).toEqual([1, 2]);
      expect(await levels(decidedConcern)).toEqual([1]);
      expect(await levels(withdrawn)).toEqual([1]);
      expect(await deadline(orphan)).toEqual([]);
      const local = Object.fromEntries(
        (await q('SELECT key, value FROM organisation_timescale WHERE organisation_id = $1', [nsc])).map((r: any) => [
          r.key,
          r.value,
        ]),
      );
      expect(local).toEqual({
        'referral.decision': 1,
        'mash.checks.red': 4,
        'mash.checks.amber': 24,
        'mash.checks.green': 72,
        'concern.decision': 1,
        'concern.immediate_danger': 60,
        'escalation.level2': 1,
        'information_request.urgent': 2,
        'information_request.standard': 3,
      });

      await migration.down(qr);
      expect(await q('SELECT overdue_at, next_escalation_at FROM concern WHERE id = $1', [openConcern])).toEqual([
        { overdue_at: overdue, next_escalation_at: next },
      ]);
      expect(
        await q(`SELECT level FROM escalation WHERE subject_type = 'Referral' AND subject_id = $1 ORDER BY level`, [
          openReferral,
        ]),
      ).toEqual([{ level: 1 }, { level: 2 }]);
      expect(
        await q(
          'SELECT info_request_urgent_hours AS urgent, rag_green_hours AS green FROM organisation_timescales WHERE organisation_id = $1',
          [nsc],
        ),
      ).toEqual([{ urgent: 2, green: 72 }]);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
    // Rolled back: the run's database is as the migrations left it.
    expect((await ds.query(`SELECT to_regclass('public.deadline') IS NOT NULL AS ok`))[0].ok).toBe(true);
  });
});
