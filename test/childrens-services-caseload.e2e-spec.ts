/**
 * Children's services caseloads through HTTP: a social worker's cases (allocated to them when they
 * open one), a team's, the council's with one worker's filter; open or closed, overdue or not;
 * pages that walk without gaps or repeats; nothing of another council, which still gets 404 for
 * the case itself; and every page on the access log of the children it names.
 */
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestContext } from './support/app';

const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const CHAIR = 'conference.chair@northshire-council.example';
const OTHER_SW = 'social.worker@southshire-council.example';
const POLICE = 'cse.officer@northshire-police.example';

describe("children's services: caseloads", () => {
  let t: TestContext;
  let users: Record<string, { id: string; teamId: string | null }>;
  const mine: string[] = [];
  let tmCase: string;
  let closedCase: string;

  beforeAll(async () => {
    t = await startTestApp();
    users = Object.fromEntries(
      (await t.db.query('SELECT email, id, team_id AS "teamId" FROM app_user')).map((u: any) => [
        u.email,
        { id: u.id, teamId: u.teamId },
      ]),
    );
    t.clock.set(new Date('2025-03-03T12:00:00Z'));
    const child = async (n: number) =>
      (
        await post(SW, '/children', {
          givenName: `Cass${n}`,
          familyName: `Caseload${Date.now()}`,
          dateOfBirth: '2016-01-01',
          sex: 'M',
          laChildId: `NSL${Date.now()}${n}`,
        })
      ).id as string;
    for (const [i, day] of ['2025-02-03', '2025-02-10', '2025-02-10', '2025-02-24'].entries()) {
      mine.push((await post(SW, '/cs/cases', { childId: await child(i), referralDate: day, referralSource: '2A' })).id);
    }
    tmCase = (await post(TM, '/cs/cases', { childId: await child(9), referralDate: '2025-02-05', referralSource: '6' }))
      .id;
    const toClose = await post(SW, '/cs/cases', {
      childId: await child(8),
      referralDate: '2025-01-06',
      referralSource: '1A',
    });
    closedCase = toClose.id;
    await post(SW, `/cs/cases/${closedCase}/closure`, { closureDate: '2025-01-20', reason: 'RC7' }, toClose.version);
  });
  afterAll(() => t.close());

  async function post(who: string, url: string, body: object, version?: number) {
    const req = t.http
      .post(`/api/v1${url}`)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID());
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    const res = await req.send(body);
    if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const list = async (who: string, query = '') =>
    t.http.get(`/api/v1/cs/cases${query ? `?${query}` : ''}`).set('Authorization', await t.as(who));

  it("a social worker's caseload: the open cases allocated to them, newest referral first", async () => {
    const res = await list(SW, 'limit=100');
    expect(res.status).toBe(200);
    const ids = res.body.data.map((c: any) => c.id);
    for (const id of mine) expect(ids).toContain(id);
    expect(ids).not.toContain(tmCase);
    expect(ids).not.toContain(closedCase);
    expect(res.body.data.every((c: any) => c.allocatedWorkerId === users[SW]!.id && c.status === 'OPEN')).toBe(true);
    const dates = res.body.data.map((c: any) => c.referralDate);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(res.body.data.find((c: any) => c.id === mine[3])).toMatchObject({
      referralDate: '2025-02-24',
      teamId: users[SW]!.teamId,
      activePlan: null,
      overdue: false,
    });
  });

  it('pages walk the caseload without gaps or repeats (two cases share a referral date)', async () => {
    // Walked in pages of 100 and of 3 (other files' cases may share the database): the same list.
    const walk = async (limit: number) => {
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await list(SW, `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        walked.push(...res.body.data.map((c: any) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return walked;
    };
    const all = await walk(100);
    expect(all).toEqual(expect.arrayContaining(mine));
    expect(new Set(all).size).toBe(all.length);
    expect(await walk(3)).toEqual(all);
    const forged = await list(SW, 'cursor=abc.def');
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].field).toBe('cursor');
  });

  it("a team's cases, the council's filtered to one worker, closed cases, one child", async () => {
    // The conference chair is in the social worker's team.
    const team = (await list(CHAIR, 'scope=team&limit=100')).body.data.map((c: any) => c.id);
    for (const id of mine) expect(team).toContain(id);
    expect(team).not.toContain(tmCase);
    const oneWorker = await list(TM, `scope=organisation&workerId=${users[SW]!.id}&limit=100`);
    expect(oneWorker.body.data.map((c: any) => c.id)).toEqual(expect.arrayContaining(mine));
    expect(oneWorker.body.data.map((c: any) => c.id)).not.toContain(tmCase);
    expect((await list(TM)).body.data.map((c: any) => c.id)).toContain(tmCase);
    const closed = (await list(SW, 'status=CLOSED&limit=100')).body.data;
    expect(closed.map((c: any) => c.id)).toContain(closedCase);
    expect(closed.find((c: any) => c.id === closedCase)).toMatchObject({
      closureReason: 'RC7',
      closureDate: '2025-01-20',
    });
    const childId = (await t.db.query('SELECT child_id FROM cs_case WHERE id = $1', [mine[0]]))[0].child_id;
    expect((await list(SW, `childId=${childId}`)).body.data.map((c: any) => c.id)).toEqual([mine[0]]);
  });

  it('overdue: an assessment past its 45 working days puts the case on the overdue list', async () => {
    const c = await post(SW, `/cs/cases/${mine[0]}/assessments`, { startDate: '2025-02-03' });
    expect(c.assessments[0].status).toBe('OPEN');
    expect((await list(SW, 'overdue=true&limit=100')).body.data.map((x: any) => x.id)).not.toContain(mine[0]);
    t.clock.set(new Date('2025-05-01T12:00:00Z'));
    const overdue = (await list(SW, 'overdue=true&limit=100')).body.data;
    expect(overdue.map((x: any) => x.id)).toContain(mine[0]);
    expect(overdue.every((x: any) => x.overdue === true)).toBe(true);
    expect((await list(SW, 'overdue=false&limit=100')).body.data.map((x: any) => x.id)).not.toContain(mine[0]);
  });

  it('another council sees none of them and gets 404 for the case; the police may not list; a bad filter is 400', async () => {
    const other = await list(OTHER_SW, 'scope=organisation&limit=100');
    expect(other.status).toBe(200);
    const ids = other.body.data.map((c: any) => c.id);
    for (const id of [...mine, tmCase, closedCase]) expect(ids).not.toContain(id);
    expect((await t.http.get(`/api/v1/cs/cases/${mine[0]}`).set('Authorization', await t.as(OTHER_SW))).status).toBe(
      404,
    );
    expect((await list(POLICE)).status).toBe(403);
    const bad = await list(SW, 'status=MAYBE');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('status');
  });

  it('every page is on the access log of the children it names', async () => {
    const childIds = (await t.db.query('SELECT child_id FROM cs_case WHERE id = ANY($1)', [mine])).map(
      (r: any) => r.child_id,
    );
    const rows = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'cs_case.list' AND actor_id = $1 AND child_ids @> $2::uuid[]`,
      [users[SW]!.id, childIds],
    );
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
