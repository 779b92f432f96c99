import { dueText, duration, formatDate, formatDateTime, subjectName, ukLocalToIso } from './format';
import { openToken, sealToken } from './http/session';
import { safeReturnPath } from './http/signed-in';
import { dateFromParts } from './http/forms';
import { nameMatch } from './routes/child-search';
import { parseTime } from './routes/concerns.routes';
import { orderWork, type WorkItem } from './routes/home.routes';
import { dashboardView, stackedBars } from './routes/oversight.routes';
import { movesFor } from './routes/referrals.routes';
import { loadWebConfig } from './web-config';

const item = (over: Partial<WorkItem>): WorkItem => ({
  kind: 'Concern',
  href: '/x',
  about: 'A',
  detail: '',
  status: '',
  dueAt: null,
  overdue: false,
  lateBy: null,
  immediateDanger: false,
  ...over,
});

describe('my work', () => {
  it('puts overdue items first, the latest of them first, then by due time, then undated', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    const ordered = orderWork(
      [
        item({ about: 'later', dueAt: '2026-03-11T12:00:00Z' }),
        item({ about: 'undated' }),
        item({ about: 'late 1h', overdue: true, dueAt: '2026-03-10T11:00:00Z' }),
        item({ about: 'soon', dueAt: '2026-03-10T13:00:00Z' }),
        item({ about: 'late 2d', overdue: true, dueAt: '2026-03-08T12:00:00Z' }),
      ],
      now,
    );
    expect(ordered.map((i) => i.about)).toEqual(['late 2d', 'late 1h', 'soon', 'later', 'undated']);
    expect(ordered[0].lateBy).toBe('2 days');
    expect(ordered[1].lateBy).toBe('1 hour');
  });
});

describe('formats', () => {
  it('writes dates and times as GOV.UK does, in UK time', () => {
    expect(formatDate('2026-07-01T23:30:00Z')).toBe('2 July 2026');
    expect(formatDateTime('2026-01-05T14:05:00Z')).toBe('5 January 2026 at 2:05pm');
    expect(formatDateTime('2026-07-05T09:00:00Z')).toBe('5 July 2026 at 10:00am');
  });
  it('says how late or how soon', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(dueText('2026-03-10T09:00:00Z', now)).toBe('Overdue by 3 hours');
    expect(dueText('2026-03-10T12:30:00Z', now)).toBe('Due in 30 minutes');
    expect(duration(49 * 3_600_000)).toBe('2 days');
  });
  it('names a child, or says what is known', () => {
    expect(subjectName({ givenName: 'Zara', familyName: 'Haddad' })).toBe('Zara Haddad');
    expect(subjectName({ approximateAge: 13 })).toBe('Child aged about 13');
    expect(subjectName({})).toBe('Child not named');
  });
  it('turns UK wall-clock time into an instant across the clock change', () => {
    expect(ukLocalToIso('2026-01-15', '09:30')).toBe('2026-01-15T09:30:00.000Z');
    expect(ukLocalToIso('2026-07-15', '09:30')).toBe('2026-07-15T08:30:00.000Z');
  });
  it('reads times people type', () => {
    expect(parseTime('9am')).toBe('09:00');
    expect(parseTime('2:05pm')).toBe('14:05');
    expect(parseTime('14.05')).toBe('14:05');
    expect(parseTime('12am')).toBe('00:00');
    expect(parseTime('25:00')).toBeUndefined();
    expect(parseTime('13pm')).toBeUndefined();
  });
  it('reads GOV.UK date inputs, refusing dates that do not exist', () => {
    expect(dateFromParts('3', '9', '2012', 'Date')).toEqual({ value: '2012-09-03' });
    expect(dateFromParts('31', '2', '2012', 'Date').error).toBe('Date must be a real date');
    expect(dateFromParts('', '2', '2012', 'Date').error).toBe('Date must include a day, month and year');
    expect(dateFromParts('', '', '', 'Date')).toEqual({});
  });
});

describe('child search labels', () => {
  const child = { givenName: 'Leah', familyName: 'Thompson', preferredName: 'Lee', previousNames: ['Léa Smith'] };
  it('calls a match exact when every word typed is one of the names, accents and case aside', () => {
    expect(nameMatch('leah THOMPSON', child as never)).toBe('Exact name');
    expect(nameMatch('Lea Smith', child as never)).toBe('Exact name');
    expect(nameMatch('Leah Tompson', child as never)).toBe('Similar name');
  });
});

describe('referral moves offered', () => {
  it('follow the API transition table, by side', () => {
    expect(movesFor('SUBMITTED', 'receiver')).toEqual(['ACKNOWLEDGED']);
    expect(movesFor('ACKNOWLEDGED', 'receiver')).toEqual(['ACCEPTED', 'DECLINED']);
    expect(movesFor('ACKNOWLEDGED', 'sender')).toEqual(['WITHDRAWN']);
    expect(movesFor('CLOSED', 'receiver')).toEqual([]);
  });
});

describe('sessions', () => {
  it('seal the access token: readable with the secret only, and tamper-evident', () => {
    const sealed = sealToken('eyJhbGciOi.token', 'a'.repeat(40));
    expect(sealed).not.toContain('eyJ');
    expect(openToken(sealed, 'a'.repeat(40))).toBe('eyJhbGciOi.token');
    expect(openToken(sealed, 'b'.repeat(40))).toBeUndefined();
    expect(openToken(`${sealed.slice(0, -2)}AA`, 'a'.repeat(40))).toBeUndefined();
  });
  it('return after sign-in only to a path of this site', () => {
    expect(safeReturnPath('/children/search')).toBe('/children/search');
    expect(safeReturnPath('//evil.example/x')).toBe('/');
    expect(safeReturnPath('/\\evil.example')).toBe('/');
    expect(safeReturnPath('https://evil.example')).toBe('/');
    expect(safeReturnPath('/sign-out')).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
  });
});

describe('web configuration', () => {
  it('has working defaults for development', () => {
    const c = loadWebConfig({});
    expect(c.port).toBe(3001);
    expect(c.apiUrl).toBe('http://127.0.0.1:3000');
    expect(c.sessionSecretGenerated).toBe(true);
    expect(loadWebConfig({ PORT: '4000' }).apiUrl).toBe('http://127.0.0.1:4000');
  });
  it('names the variable that is wrong', () => {
    expect(() => loadWebConfig({ WEB_PORT: 'x' })).toThrow('WEB_PORT');
    expect(() => loadWebConfig({ API_URL: 'ftp://x' })).toThrow('API_URL');
    expect(() => loadWebConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y' })).toThrow('SESSION_SECRET');
    expect(() => loadWebConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) })).toThrow('DATABASE_URL');
    expect(() => loadWebConfig({ SESSION_SECRET: 'short' })).toThrow('SESSION_SECRET');
  });
});

describe('dashboard charts', () => {
  const row = (organisationId: string, organisation: string, open: number, overdue: number, dueSoon: number) => ({
    organisationId,
    organisation,
    teamId: null,
    team: null,
    rule: 'referral.decision',
    open,
    overdue,
    dueSoon,
    oldestOverdueSince: overdue ? '2026-12-01T10:00:00Z' : null,
    nextDue: '2026-12-01T10:00:00Z',
  });

  it('draws every bar on one scale, the largest total filling the width, leaving out empty segments', () => {
    const bars = stackedBars([
      {
        label: 'A',
        parts: [
          { kind: 'overdue', value: 2 },
          { kind: 'on-time', value: 2 },
        ],
        words: 'a',
      },
      {
        label: 'B',
        parts: [
          { kind: 'overdue', value: 0 },
          { kind: 'on-time', value: 2 },
        ],
        words: 'b',
      },
    ]);
    expect(bars[0]!.segments.map((s) => [s.kind, s.x, s.width])).toEqual([
      ['overdue', 0, 270],
      ['on-time', 270, 270],
    ]);
    expect(bars[1]!.segments.map((s) => s.kind)).toEqual(['on-time']);
    expect(bars[1]!.total).toBe(2);
  });

  it('adds up each organisation across its teams and clocks, most overdue first, and words each bar', () => {
    const view = dashboardView(
      {
        generatedAt: '2026-12-02T10:00:00Z',
        dueSoonUntil: '2026-12-03T10:00:00Z',
        since: '2026-09-03T10:00:00Z',
        open: [row('1', 'Council', 5, 1, 1), row('1', 'Council', 3, 2, 0), row('2', 'Police', 2, 0, 2)],
        timeliness: [
          {
            organisationId: '1',
            organisation: 'Council',
            rule: 'referral.decision',
            metInTime: 3,
            metLate: 1,
            cancelled: 0,
          },
        ],
        referrals: [],
        requests: [],
      },
      Date.parse('2026-12-02T10:00:00Z'),
    );
    expect(view.totals).toEqual({ open: 10, overdue: 3, dueSoon: 3, oldestOverdueFor: '24 hours' });
    expect(view.openChart.map((b) => b.words)).toEqual([
      'Council: 3 overdue, 1 due soon, 8 open in all',
      'Police: 0 overdue, 2 due soon, 2 open in all',
    ]);
    expect(view.timelinessChart[0]).toMatchObject({
      total: 100,
      words: 'Council: 75% done in time (3 in time, 1 late)',
    });
    expect(view.open[0]!.clock).toBe('Decision on a referral (1 working day)');
  });
});
