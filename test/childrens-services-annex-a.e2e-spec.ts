/**
 * Ofsted's Annex A through HTTP: a child's year (two referrals, the first closed with no further
 * action; an assessment, a joint s47, an ICPC deciding a plan, a review) in lists 1-7 for the six
 * months to the inspection day, with the published columns and answers, produced by the council's
 * performance officer only, and every child named on their access log.
 */
import { randomUUID } from 'node:crypto';
import { ANNEX_A_LISTS } from '@app/childrens-services';
import { startTestApp, type TestContext } from './support/app';

const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const CHAIR = 'conference.chair@northshire-council.example';
const PERF = 'performance@northshire-council.example';
const MASH = 'mash.officer@northshire-council.example';
const POLICE = 'cse.officer@northshire-police.example';

/** Parses the CSV this API writes (RFC 4180, CRLF) into objects keyed by the header row. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

describe("children's services: Ofsted's Annex A", () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let users: Record<string, { id: string; name: string }>;
  let teams: Record<string, string>;
  let childId: string;
  let unlinkedReferral: string;
  const laChildId = `NSA${Date.now()}`;

  beforeAll(async () => {
    t = await startTestApp();
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    users = Object.fromEntries(
      (await t.db.query('SELECT email, id, name FROM app_user')).map((u: any) => [u.email, { id: u.id, name: u.name }]),
    );
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
  });
  afterAll(() => t.close());

  const post = async (who: string, url: string, body: object, version?: number) => {
    const req = t.http
      .post(`/api/v1${url}`)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID());
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    const res = await req.send(body);
    if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const at = (iso: string) => t.clock.set(new Date(`${iso}T12:00:00Z`));
  const list = async (n: number, day = '2025-01-31', who = PERF) =>
    t.http.get(`/api/v1/returns/annex-a?list=${n}&at=${day}`).set('Authorization', await t.as(who));
  const mine = async (n: number, day?: string) => {
    const res = await list(n, day);
    expect(res.status).toBe(200);
    return parseCsv(res.text).filter((r) => r['Child Unique ID'] === laChildId);
  };

  it('a year of a child is in lists 1-7 with the published columns and answers', async () => {
    at('2024-07-01');
    const child = await post(SW, '/children', {
      givenName: 'Annie',
      familyName: `Annex${Date.now()}`,
      dateOfBirth: '2014-09-15',
      sex: 'F',
      ethnicity: 'MWBA',
      disabilities: ['HAND'],
      laChildId,
    });
    childId = child.id;
    // A first referral in July, closed in August with nothing after it: a referral NFA.
    const first = await post(SW, '/cs/cases', { childId, referralDate: '2024-07-01', referralSource: '2A' });
    at('2024-08-01');
    await post(SW, `/cs/cases/${first.id}/closure`, { closureDate: '2024-08-01', reason: 'RC7' }, first.version);

    // A second in September, from the police: assessment, strategy, s47, ICPC (plan), review.
    at('2024-09-02');
    const c = await post(SW, '/cs/cases', { childId, referralDate: '2024-09-02', referralSource: '6' });
    const a = (await post(SW, `/cs/cases/${c.id}/assessments`, {})).assessments[0];
    at('2024-09-09');
    const authorised = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'STRATEGY_DISCUSSION', primaryNeed: 'N1', factors: ['2B'] },
      a.version,
    );
    const sd = authorised.strategyDiscussions[0];
    const attendees = ['NSC', 'NSP', 'NNHS'].map((code) => ({ organisationId: orgs[code], name: 'A', role: 'B' }));
    at('2024-09-10');
    const held = await post(
      SW,
      `/cs/strategy-discussions/${sd.id}/outcome`,
      { heldOn: '2024-09-10', attendees, outcome: 'S47_JOINT' },
      sd.version,
    );
    const s47 = held.s47Enquiries[0];
    at('2024-09-20');
    await post(SW, `/cs/s47/${s47.id}/outcome`, { outcome: 'ICPC_REQUIRED', completedDate: '2024-09-20' }, s47.version);
    at('2024-09-27');
    const icpc = await post(CHAIR, `/cs/cases/${c.id}/conferences`, {
      kind: 'INITIAL',
      heldOn: '2024-09-27',
      attendees,
      decision: 'PLAN',
      category: 'NEG',
      leadSocialWorkerId: users[SW]!.id,
    });
    at('2024-12-20');
    await post(
      CHAIR,
      `/cs/cases/${c.id}/conferences`,
      { kind: 'REVIEW', heldOn: '2024-12-20', attendees, decision: 'CONTINUE', category: 'MUL' },
      icpc.plans[0].version,
    );
    // The police, working with the child since the strategy discussion, refer it to the MASH in
    // November: immediate protection (police protection), with no new case: a contact, and list 7's
    // "protected under police powers in the last six months".
    at('2024-11-04');
    const police = await post(POLICE, '/referrals', {
      childId,
      toTeamId: teams['NSC/MASH'],
      reason: 'Found at an address linked to exploitation; taken into police protection.',
      rag: 'RED',
      immediateDanger: true,
      consentObtained: true,
    });
    await post(MASH, `/referrals/${police.id}/decision`, {
      outcome: 'IMMEDIATE_PROTECTION',
      reason: 'Police protection.',
    });
    // A contact about a child not on the record, decided no further action: still a contact.
    at('2024-11-05');
    const unlinked = await post(POLICE, '/referrals', {
      toTeamId: teams['NSC/MASH'],
      subject: { givenName: 'Unnamed', familyName: `Contact${Date.now()}`, dateOfBirth: '2012-02-29' },
      reason: 'Seen with older men at a takeaway late at night.',
      rag: 'GREEN',
      consentObtained: true,
    });
    unlinkedReferral = unlinked.id;
    await post(MASH, `/referrals/${unlinked.id}/decision`, {
      outcome: 'NO_FURTHER_ACTION',
      reason: 'Below threshold.',
    });
    at('2025-02-03');

    // Every list answers with its published header, whatever it holds.
    for (const n of [1, 2, 3, 4, 5, 6, 7] as const) {
      const res = await list(n);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="annex-a-list-${n}-${ANNEX_A_LISTS[n].name}-2025-01-31.csv"`,
      );
      expect(res.text.split('\r\n')[0]).toBe(
        ANNEX_A_LISTS[n].columns.map((h) => (h.includes(',') ? `"${h}"` : h)).join(','),
      );
    }
    const person = {
      Gender: 'b) Female',
      Ethnicity: 'g) MWBA',
      'Date of Birth': '15/09/2014',
      'Age of Child (Years)': '10',
    };
    const team = (
      await t.db.query('SELECT t.name FROM team t JOIN app_user u ON u.team_id = t.id WHERE u.email = $1', [SW])
    )[0]?.name as string | undefined;
    const allocated = { 'Allocated Team': team ?? '', 'Allocated Worker': users[SW]!.name };

    // Six months to 31 January 2025: from 31 July 2024, so the July referral is out of lists 1 and 3.
    expect(await mine(1)).toEqual([
      { 'Child Unique ID': laChildId, ...person, 'Date of Contact': '02/09/2024', 'Contact Source': 'q) 6: Police' },
      { 'Child Unique ID': laChildId, ...person, 'Date of Contact': '04/11/2024', 'Contact Source': 'q) 6: Police' },
    ]);
    // Every contact received, whatever became of it: one about a child not on the record is listed
    // under the referral's reference, with the date of birth its sender gave.
    const contacts = parseCsv((await list(1)).text);
    expect(contacts.filter((r) => r['Child Unique ID'] === `REF-${unlinkedReferral}`)).toEqual([
      {
        'Child Unique ID': `REF-${unlinkedReferral}`,
        Gender: 'c) Not stated/recorded',
        Ethnicity: 't) NOBT',
        'Date of Birth': '29/02/2012',
        'Age of Child (Years)': '12',
        'Date of Contact': '05/11/2024',
        'Contact Source': 'q) 6: Police',
      },
    ]);
    expect(await mine(2)).toEqual([]);
    expect(await mine(3)).toEqual([
      {
        'Child Unique ID': laChildId,
        ...person,
        'Date of referral': '02/09/2024',
        'Referral Source': 'q) 6: Police',
        'Referral NFA?': 'b) No',
        'Number of Referrals in Last 12 Months': '1',
        ...allocated,
      },
    ]);
    // Produced for 31 August 2024, the July referral is there, closed with no further action.
    expect((await mine(3, '2024-08-31')).map((r) => [r['Date of referral'], r['Referral NFA?']])).toEqual([
      ['01/07/2024', 'a) Yes'],
    ]);
    expect(await mine(4)).toEqual([
      {
        'Child Unique ID': laChildId,
        ...person,
        'Does the Child have a Disability': 'a) Yes',
        'Continuous Assessment Start Date': '02/09/2024',
        'Child Seen During Continuous Assessment': '',
        'Continuous Assessment Date of Authorisation': '09/09/2024',
        "Was the child assessed as requiring LA children's social care support?": 'a) Yes',
        ...allocated,
      },
    ]);
    expect(await mine(5)).toEqual([
      {
        'Child Unique ID': laChildId,
        ...person,
        'Does the Child have a Disability': 'a) Yes',
        'Strategy discussion initiating Section 47 Enquiry Start Date': '10/09/2024',
        'Was an Initial Child Protection Conference deemed unnecessary?': 'b) No',
        'Date of Initial Child Protection Conference': '27/09/2024',
        'Did the Initial Child Protection Conference Result in a Child Protection Plan': 'a) Yes',
        'Number of Section 47 Enquiries in the last 12 months (NOT INCL. CURRENT)': '0',
        'Number of ICPCs in the last 12 months (NOT INCL. CURRENT)': '0',
        ...allocated,
      },
    ]);
    // The NFA referral is not a child in need episode; the second is, open.
    expect(await mine(6)).toEqual([
      {
        'Child Unique ID': laChildId,
        ...person,
        'Does the Child have a Disability': 'a) Yes',
        'CIN Start Date': '02/09/2024',
        'Primary Need Code': 'N1 - Abuse or neglect',
        'Date Child Was Last Seen': '',
        'CIN Closure Date': '',
        'Reason for Closure': '',
        'Case Status': 'b) Child Protection plan',
        ...allocated,
      },
    ]);
    expect(await mine(7)).toEqual([
      {
        'Child Unique ID': laChildId,
        ...person,
        'Does the Child have a Disability': 'a) Yes',
        'Child Protection Plan Start Date': '27/09/2024',
        'Initial Category of Abuse': 'a) Neglect',
        'Latest Category of Abuse': 'e) Multiple/not recommended',
        'Date of the Last Statutory Visit': '',
        'Was the Child Seen Alone?': '',
        'Date of latest review conference': '20/12/2024',
        'Child Protection Plan End Date': '',
        'Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)': 'a) Yes',
        'Number of Previous Child Protection Plans': '0',
        'Allocated Team': allocated['Allocated Team'],
        'Allocated Worker': users[SW]!.name,
      },
    ]);
    // Every export is on the child's access log, in the performance officer's name.
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'annex_a.export' AND $1 = ANY(child_ids) AND actor_id = $2`,
      [childId, users[PERF]!.id],
    );
    expect(audit[0].n).toBeGreaterThanOrEqual(7);
  });

  it('the case records its referral NFA and its allocation', async () => {
    const cases = await t.db.query(
      `SELECT referral_nfa AS nfa, allocated_worker_id AS worker FROM cs_case WHERE child_id = $1 ORDER BY referral_date`,
      [childId],
    );
    expect(cases).toEqual([
      { nfa: true, worker: users[SW]!.id },
      { nfa: false, worker: users[SW]!.id },
    ]);
  });

  it('is refused to a social worker; a bad list or a future day is 400 naming the field', async () => {
    expect((await list(3, '2025-01-31', SW)).status).toBe(403);
    const bad = await t.http.get('/api/v1/returns/annex-a?list=8').set('Authorization', await t.as(PERF));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('list');
    const future = await list(3, '2030-01-01');
    expect(future.status).toBe(400);
    expect(future.body.errors[0].field).toBe('at');
  });
});
