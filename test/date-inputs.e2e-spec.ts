/**
 * Dates that validate as dates: a date field takes YYYY-MM-DD and a date-time field an RFC 3339
 * date-time with a zone. validator.js's ISO 8601 check alone let through short forms ('2026-12',
 * '2026-W49', '20261202', '2026-336', '20261127T090000Z') that the services read as NaN or Invalid
 * Date (a screening on '2026-12' was a 500). Each is a 400 problem+json naming the field, writing
 * nothing; a date-time without an offset is refused too (a server-local reading is ambiguous).
 */
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestContext } from './support/app';

const NSP_CSE = 'cse.officer@northshire-police.example';
const SW = 'social.worker@northshire-council.example';
const DSL = 'dsl@riverside-academy.example';
const TEACHER = 'teacher@riverside-academy.example';
const NURSE = 'nurse@northshire-nhs.example';
const NSC_ADMIN = 'admin@northshire-council.example';
const INSPECTOR = 'inspector@inspectorate.example';

const BAD_DATES = ['2026', '2026-12', '2026-W49', '20261202', '2026-336', '2026-02-30', '2026-12-02T09:30:00Z'];
const BAD_TIMES = [
  '2026',
  '2026-12',
  '2026-W49',
  '20261202',
  '2026-336',
  '20261127T090000Z',
  '2026-12-02',
  '2026-12-02T09:30:00',
  '2026-02-30T09:30:00Z',
];

describe('date and date-time inputs', () => {
  let t: TestContext;
  let childId: string;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = async (who: string, url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const expectRefused = (res: { status: number; headers: Record<string, string>; body: any }, field: string) => {
    expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
    });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  };

  it('takes a real date: a child registered with a date of birth YYYY-MM-DD', async () => {
    const res = await post(NSP_CSE, '/api/v1/children', {
      givenName: 'Dara',
      familyName: `Datecheck${Date.now()}`,
      dateOfBirth: '2012-03-04',
    });
    expect(res.status).toBe(201);
    expect(res.body.dateOfBirth).toBe('2012-03-04');
    childId = res.body.id;
  });

  it.each(BAD_DATES)('a police screening on %p is a 400 naming screenedOn, and writes nothing', async (screenedOn) => {
    const before = await t.db.query('SELECT count(*)::int AS n FROM cse_screening WHERE child_id = $1', [childId]);
    const res = await post(NSP_CSE, '/api/v1/police/screenings', {
      childId,
      screenedOn,
      vulnerabilities: [],
      indicators: [],
    });
    expectRefused(res, 'screenedOn');
    expect(await t.db.query('SELECT count(*)::int AS n FROM cse_screening WHERE child_id = $1', [childId])).toEqual(
      before,
    );
  });

  it.each(BAD_DATES)('date fields across the modules refuse %p, naming the field', async (bad) => {
    expectRefused(
      await post(SW, '/api/v1/children', { givenName: 'A', familyName: 'B', dateOfBirth: bad }),
      'dateOfBirth',
    );
    expectRefused(await post(DSL, '/api/v1/education/pupils', { onRollFrom: bad }), 'onRollFrom');
    expectRefused(await post(DSL, '/api/v1/education/pupils', { dateOfBirth: bad }), 'dateOfBirth');
    expectRefused(await post(NURSE, '/api/v1/support-plans', { startDate: bad }), 'startDate');
    expectRefused(await post(NSC_ADMIN, '/api/v1/sharing/agreements', { startsOn: bad }), 'startsOn');
    expectRefused(await post(NSP_CSE, '/api/v1/police/cawns', { servedOn: bad }), 'servedOn');
    expectRefused(await post(TEACHER, '/api/v1/concerns', { subject: { dateOfBirth: bad } }), 'subject.dateOfBirth');
  });

  it.each(BAD_TIMES)('date-time fields across the modules refuse %p, naming the field', async (bad) => {
    expectRefused(await post(NSP_CSE, '/api/v1/police/missing-episodes', { reportedAt: bad }), 'reportedAt');
    expectRefused(await post(TEACHER, '/api/v1/concerns', { occurredAt: bad }), 'occurredAt');
    expectRefused(await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${encodeURIComponent(bad)}`), 'at');
    const to = '2026-12-02T00:00:00Z';
    expectRefused(
      await get(INSPECTOR, `/api/v1/oversight/responsibility/history?from=${encodeURIComponent(bad)}&to=${to}`),
      'from',
    );
  });

  it('a date-time with Z or an offset is taken', async () => {
    for (const at of ['2026-12-02T09:30:00Z', '2026-12-02T09:30:00.000+01:00', '2026-12-02T09:30-05:00']) {
      expect(
        (await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${encodeURIComponent(at)}&limit=1`)).status,
      ).toBe(200);
    }
  });
});
