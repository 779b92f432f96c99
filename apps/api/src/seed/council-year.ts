import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Child, Involvement, nameKeyOf, searchNameOf } from '@app/children';
import {
  addMonths,
  censusPeriod,
  CIN_FACTORS,
  CsAssessment,
  CsCase,
  CsConference,
  CsLookedAfter,
  CsPlan,
  CsS47,
  CsStrategyDiscussion,
  REFERRAL_SOURCES,
} from '@app/childrens-services';
import { londonDateString, namedQuery, WorkingDayCalendar } from '@app/platform';

export interface CouncilYearOptions {
  /** The census collection year (2026: 1 April 2025 to 31 March 2026). Default: the last one that has ended. */
  year?: number;
  /** How many referrals (cases) the council receives in the year. */
  cases: number;
  /**
   * Or how many children in need: when set, the year runs until this many children have been
   * referred (some twice, so there are more cases than children), and `cases` is not a limit.
   */
  children?: number;
  /** The council (organisation code); Northshire by default. */
  la?: string;
  /** Seed of the pseudo-random choices: the same seed gives the same year. */
  seed?: number;
  progress?: (message: string) => void;
}

export interface CouncilYearResult {
  year: number;
  children: number;
  cases: number;
  assessments: number;
  strategyDiscussions: number;
  s47s: number;
  conferences: number;
  plans: number;
}

const BATCH = 1000;
const DAY = 86_400_000;
// Police, schools and health refer most (DfE CIN statistics: police ~30%, schools ~20%, health ~15%).
const SOURCE_WEIGHTS = [3, 1, 1, 1, 18, 2, 5, 3, 3, 2, 1, 1, 3, 3, 2, 1, 1, 30, 4, 10, 3, 2];
const ETHNICITIES = [
  'WBRI',
  'WOTH',
  'MWBC',
  'MWBA',
  'MWAS',
  'MOTH',
  'AIND',
  'APKN',
  'ABAN',
  'BCRB',
  'BAFR',
  'OOTH',
  'NOBT',
];
const ETHNICITY_WEIGHTS = [70, 5, 2, 2, 2, 2, 2, 3, 1, 2, 3, 2, 4];
// Names the demo world's children do not have (tests find those by name).
const GIVEN = [
  'Poppy',
  'Noah',
  'Isla',
  'Leo',
  'Ava',
  'Oscar',
  'Mia',
  'Arthur',
  'Esme',
  'George',
  'Lily',
  'Harry',
  'Ivy',
  'Jack',
  'Rosie',
  'Theo',
  'Grace',
  'Finley',
  'Zara',
  'Yusuf',
];
const FAMILY = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Lewis',
  'Khan',
  'Patel',
  'Walker',
  'Wright',
  'Turner',
  'Parker',
  'Green',
  'Ali',
  'Hall',
  'Wood',
  'Harris',
  'Begum',
  'Murphy',
];
const NEEDS = ['N1', 'N1', 'N1', 'N1', 'N2', 'N3', 'N4', 'N5', 'N5', 'N6', 'N7', 'N8', 'N9'];
/** Assessment factors to draw from: the census code set itself, less 21 ("no factors identified"). */
const FACTORS = CIN_FACTORS.filter((f) => f !== '21');
const CATEGORIES = ['NEG', 'NEG', 'NEG', 'EMO', 'EMO', 'PHY', 'SAB', 'MUL'];

/** A small fast deterministic generator (mulberry32): the same seed gives the same council year. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
    weighted: <T>(xs: readonly T[], weights: readonly number[]) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let r = next() * total;
      for (let i = 0; i < xs.length; i++) if ((r -= weights[i]!) < 0) return xs[i]!;
      return xs[xs.length - 1]!;
    },
    chance: (p: number) => next() < p,
  };
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (date: string, n: number) => iso(new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY));
const noon = (date: string) => new Date(`${date}T12:00:00Z`);

/** The last collection year that has ended by `today` (31 March of it is past). */
export function lastEndedYear(today: string): number {
  const y = Number(today.slice(0, 4));
  return today.slice(5) > '03-31' ? y : y - 1;
}

/**
 * A year of a council's children's services, for the CIN census and Annex A to have real content
 * (issue 13 item 9): referrals from every source, some closed with no further action, assessments
 * on time and late (some still open at the year end), strategy discussions with the council,
 * police and health, s47 enquiries single and joint, initial conferences on time and late (with a
 * reason), child protection plans with review conferences every 6 months after the first at 3,
 * some ended at review, child in need plans, looked-after periods, closures with reasons, and some
 * children referred twice. Everything the census rules check holds, so the return validates.
 *
 * What it does not write: chronology entries, audit events and clocks (`deadline` rows) of the
 * steps: they are history, written as the council's records only.
 */
export async function seedCouncilYear(ds: DataSource, opts: CouncilYearOptions): Promise<CouncilYearResult> {
  const say = opts.progress ?? (() => undefined);
  const today = londonDateString(new Date());
  const year = opts.year ?? lastEndedYear(today);
  const { start, end } = censusPeriod(year);
  // Nothing after yesterday: a year still running stops at today.
  const last = end < today ? end : plusDays(today, -1);
  const r = prng(opts.seed ?? year);
  const cal = new WorkingDayCalendar();
  const wd = (date: string, n: number) => londonDateString(cal.addWorkingDays(noon(date), n));

  const [org] = await namedQuery<{ id: string }>(ds.manager, 'SELECT id FROM organisation WHERE code = :code', {
    code: opts.la ?? 'NSC',
  });
  if (!org) throw new Error(`No organisation ${opts.la ?? 'NSC'}: seed the demo world first.`);
  const people = await namedQuery<{ id: string; email: string; teamId: string | null; roles: string[] }>(
    ds.manager,
    'SELECT id, email, team_id AS "teamId", roles FROM app_user WHERE organisation_id = :org AND active',
    { org: org.id },
  );
  const withRole = (role: string) => people.find((p) => p.roles.includes(role));
  const sw = withRole('social_worker');
  const tm = withRole('team_manager');
  const chair = withRole('conference_chair');
  if (!sw || !tm || !chair)
    throw new Error('The council needs a social worker, a team manager and a conference chair.');
  const partners = await namedQuery<{ id: string; code: string; type: string }>(
    ds.manager,
    "SELECT id, code, type FROM organisation WHERE type IN ('police_force', 'health') ORDER BY code",
    {},
  );
  const police = partners.find((p) => p.type === 'police_force');
  const health = partners.find((p) => p.type === 'health');
  if (!police || !health) throw new Error('The strategy discussions need a police force and a health organisation.');
  const attendees = [
    { organisationId: org.id, name: 'Social worker', role: "children's services" },
    { organisationId: police.id, name: 'Detective constable', role: 'police' },
    { organisationId: health.id, name: 'Named nurse', role: 'health' },
  ];

  const rows = {
    child: [] as Partial<Child>[],
    involvement: [] as Partial<Involvement>[],
    case: [] as Partial<CsCase>[],
    assessment: [] as Partial<CsAssessment>[],
    strategy: [] as Partial<CsStrategyDiscussion>[],
    s47: [] as Partial<CsS47>[],
    conference: [] as Partial<CsConference>[],
    plan: [] as Partial<CsPlan>[],
    lookedAfter: [] as Partial<CsLookedAfter>[],
  };
  const totals: CouncilYearResult = {
    year,
    children: 0,
    cases: 0,
    assessments: 0,
    strategyDiscussions: 0,
    s47s: 0,
    conferences: 0,
    plans: 0,
  };
  const days = (Date.parse(last) - Date.parse(start)) / DAY;
  const tag = `Y${year}${r.int(100, 999)}`;

  /** One child in need episode from its referral, as far as the year goes. Returns its closure date. */
  const episode = (childId: string, referralDate: string): string | null => {
    const caseId = randomUUID();
    const kase: Partial<CsCase> = {
      id: caseId,
      organisationId: org.id,
      childId,
      referralDate,
      referralSource: r.weighted(REFERRAL_SOURCES, SOURCE_WEIGHTS),
      primaryNeed: null,
      status: 'OPEN',
      referralNfa: false,
      closureDate: null,
      closureReason: null,
      allocatedWorkerId: sw.id,
      teamId: sw.teamId,
    };
    rows.case.push(kase);
    totals.cases++;
    const close = (date: string, reason: string, nfa = false) => {
      if (date > last) return null;
      Object.assign(kase, { status: 'CLOSED', closureDate: date, closureReason: reason, referralNfa: nfa });
      return date;
    };
    // One in five referrals leads to no further action.
    if (r.chance(0.2)) return close(plusDays(referralDate, r.int(1, 10)), 'RC7', true);
    const startDate = plusDays(referralDate, r.int(0, 5));
    if (startDate > last) return null;
    const due = cal.addWorkingDays(noon(referralDate), 45);
    // Most assessments finish within 45 working days; one in seven is late.
    const authorisedDate = r.chance(0.85)
      ? wd(startDate, r.int(8, 40))
      : londonDateString(new Date(due.getTime() + r.int(3, 30) * DAY));
    const need = r.pick(NEEDS);
    const assessment: Partial<CsAssessment> = {
      id: randomUUID(),
      organisationId: org.id,
      caseId,
      childId,
      status: 'OPEN',
      startDate,
      dueAt: due,
      factors: [],
    };
    rows.assessment.push(assessment);
    totals.assessments++;
    if (authorisedDate > last) return null;
    const outcome = r.weighted(['NFA', 'CIN_PLAN', 'STRATEGY_DISCUSSION', 'LOOKED_AFTER'], [35, 35, 25, 5]);
    Object.assign(assessment, {
      status: 'AUTHORISED',
      authorisedDate,
      authorisedBy: tm.id,
      outcome,
      factors: [...new Set([r.pick(FACTORS), r.pick(FACTORS), r.pick(FACTORS)])].slice(0, r.int(1, 3)),
    });
    kase.primaryNeed = need;
    if (outcome === 'NFA') return close(plusDays(authorisedDate, r.int(0, 7)), r.chance(0.6) ? 'RC8' : 'RC9');
    const cinPlan = (from: string) => {
      if (from > last) return null;
      const endDate = plusDays(from, r.int(60, 300));
      const ended = endDate <= last;
      rows.plan.push({
        id: randomUUID(),
        organisationId: org.id,
        caseId,
        childId,
        kind: 'CIN',
        status: ended ? 'ENDED' : 'ACTIVE',
        startDate: from,
        endDate: ended ? endDate : null,
        endReason: ended ? 'Needs met' : null,
      });
      totals.plans++;
      return ended ? close(plusDays(endDate, r.int(0, 14)), 'RC7') : null;
    };
    if (outcome === 'CIN_PLAN') return cinPlan(plusDays(authorisedDate, r.int(0, 10)));
    if (outcome === 'LOOKED_AFTER') {
      rows.lookedAfter.push({ id: randomUUID(), organisationId: org.id, caseId, childId, startDate: authorisedDate });
      return null;
    }
    // Strategy discussion: within the local timescale, council, police and health.
    const heldOn = plusDays(authorisedDate, r.int(0, 2));
    const sdId = randomUUID();
    const sdOutcome = r.weighted(['NO_S47', 'S47_SINGLE_AGENCY', 'S47_JOINT'], [20, 30, 50]);
    const held = heldOn <= last;
    rows.strategy.push({
      id: sdId,
      organisationId: org.id,
      caseId,
      childId,
      status: held ? 'HELD' : 'CONVENED',
      dueAt: cal.addWorkingDays(noon(authorisedDate), 3),
      heldOn: held ? heldOn : null,
      attendees: held ? attendees : [],
      outcome: held ? sdOutcome : null,
    });
    totals.strategyDiscussions++;
    if (!held) return null;
    if (sdOutcome === 'NO_S47') return cinPlan(plusDays(heldOn, r.int(1, 10)));
    const s47Id = randomUUID();
    const icpcTarget = wd(heldOn, 15);
    const completedDate = wd(heldOn, r.int(5, 12));
    const s47Outcome = r.weighted(['NFA', 'CIN', 'ICPC_REQUIRED'], [20, 30, 50]);
    const s47: Partial<CsS47> = {
      id: s47Id,
      organisationId: org.id,
      caseId,
      childId,
      strategyDiscussionId: sdId,
      joint: sdOutcome === 'S47_JOINT',
      status: 'OPEN',
      startDate: heldOn,
      icpcTarget,
      completedDate: null,
      outcome: null,
    };
    rows.s47.push(s47);
    totals.s47s++;
    if (completedDate > last) return null;
    Object.assign(s47, { status: 'COMPLETED', completedDate, outcome: s47Outcome });
    if (s47Outcome === 'NFA') return close(plusDays(completedDate, r.int(1, 14)), 'RC8');
    if (s47Outcome === 'CIN') return cinPlan(plusDays(completedDate, r.int(1, 10)));
    // The initial conference: on time mostly, late with a reason otherwise.
    const onTime = r.chance(0.8);
    const icpc = onTime ? wd(completedDate, r.int(0, 2)) : wd(icpcTarget, r.int(1, 10));
    const icpcDate = icpc > icpcTarget && onTime ? icpcTarget : icpc;
    if (icpcDate > last) return null;
    const plan = r.chance(0.8);
    const planId = plan ? randomUUID() : null;
    rows.conference.push({
      id: randomUUID(),
      organisationId: org.id,
      caseId,
      childId,
      kind: 'INITIAL',
      s47Id,
      planId,
      heldOn: icpcDate,
      chairId: chair.id,
      attendees,
      decision: plan ? 'PLAN' : 'CIN',
      lateReason:
        icpcDate > icpcTarget ? 'The family asked for the date to be moved so both parents could attend.' : null,
    });
    totals.conferences++;
    if (!plan) return cinPlan(plusDays(icpcDate, r.int(0, 10)));
    const category = r.pick(CATEGORIES);
    const cp: Partial<CsPlan> = {
      id: planId!,
      organisationId: org.id,
      caseId,
      childId,
      kind: 'CP',
      status: 'ACTIVE',
      startDate: icpcDate,
      initialCategory: category,
      latestCategory: category,
      leadSocialWorkerId: sw.id,
      coreGroup: attendees.map((a) => a.organisationId),
      nextReviewDue: addMonths(icpcDate, 3),
    };
    rows.plan.push(cp);
    totals.plans++;
    // Reviews: 3 months after the ICPC, then every 6 months; some plans end at a review.
    let review = addMonths(icpcDate, 3);
    while (review <= last) {
      const heldReview = plusDays(review, -r.int(0, 5));
      const endsHere = r.chance(0.45);
      rows.conference.push({
        id: randomUUID(),
        organisationId: org.id,
        caseId,
        childId,
        kind: 'REVIEW',
        planId: cp.id!,
        heldOn: heldReview,
        chairId: chair.id,
        attendees,
        decision: endsHere ? 'END' : 'CONTINUE',
        lateReason: null,
      });
      totals.conferences++;
      if (endsHere) {
        Object.assign(cp, {
          status: 'ENDED',
          endDate: heldReview,
          endReason: 'No longer at risk of significant harm',
          nextReviewDue: null,
        });
        return cinPlan(plusDays(heldReview, r.int(0, 7)));
      }
      if (r.chance(0.3)) cp.latestCategory = r.pick(CATEGORIES);
      review = addMonths(heldReview, 6);
      cp.nextReviewDue = review;
    }
    return null;
  };

  const flush = async (tx: EntityManager, force = false) => {
    if (!force && rows.case.length < BATCH) return;
    const put = async <T>(entity: new () => T, list: Partial<T>[]) => {
      for (let i = 0; i < list.length; i += BATCH)
        await tx.getRepository(entity).insert(list.slice(i, i + BATCH) as never);
      list.length = 0;
    };
    await put(Child, rows.child);
    await put(Involvement, rows.involvement);
    await put(CsCase, rows.case);
    await put(CsAssessment, rows.assessment);
    await put(CsStrategyDiscussion, rows.strategy);
    await put(CsS47, rows.s47);
    await put(CsPlan, rows.plan);
    await put(CsConference, rows.conference);
    await put(CsLookedAfter, rows.lookedAfter);
  };

  const made: string[] = [];
  await ds.transaction(async (tx) => {
    const more = () => (opts.children ? totals.children < opts.children : totals.cases < opts.cases);
    for (let i = 0; more(); i++) {
      const referralDate = plusDays(start, r.int(0, Math.max(0, days - 1)));
      const dateOfBirth = plusDays(referralDate, -r.int(30, 17 * 365));
      const givenName = r.pick(GIVEN);
      const familyName = r.pick(FAMILY);
      const childId = randomUUID();
      made.push(childId);
      rows.child.push({
        id: childId,
        givenName,
        familyName,
        previousNames: [],
        nameKey: nameKeyOf({ givenName, familyName }),
        searchName: searchNameOf({ givenName, familyName }),
        dateOfBirth,
        sex: r.chance(0.52) ? 'M' : 'F',
        ethnicity: r.weighted(ETHNICITIES, ETHNICITY_WEIGHTS),
        disabilities: r.chance(0.08) ? ['LD'] : [],
        laChildId: `NSC-${tag}-${i + 1}`,
        createdByOrganisationId: org.id,
      });
      rows.involvement.push({
        childId,
        organisationId: org.id,
        kind: 'lead',
        basis: 'registered',
        fromAt: noon(referralDate),
        reason: "Referred to children's services",
        createdBy: sw.id,
      });
      totals.children++;
      const closed = episode(childId, referralDate);
      // Some children come back: a second referral after the first episode closed.
      if (closed && (opts.children || totals.cases < opts.cases) && r.chance(0.15)) {
        const again = plusDays(closed, r.int(14, 120));
        if (again <= last) episode(childId, again);
      }
      if (rows.case.length >= BATCH) {
        await flush(tx);
        say(
          opts.children
            ? `council year ${year}: ${totals.children.toLocaleString('en-GB')} / ${opts.children.toLocaleString('en-GB')} children`
            : `council year ${year}: ${totals.cases.toLocaleString('en-GB')} / ${opts.cases.toLocaleString('en-GB')} cases`,
        );
      }
    }
    await flush(tx, true);
    // The council's status on each generated child's section, from the plans and periods still
    // running (as children's services keeps it on every step), so a nurse's look-up, a school's file
    // and the dashboard agree with the census: a child protection plan first, then looked after,
    // then a child in need plan.
    await namedQuery(
      tx,
      `INSERT INTO agency_section (child_id, organisation_id, agency_type, plan_status, plan_start_date)
       SELECT DISTINCT ON (x.child_id) x.child_id, :org, 'local_authority', x.status, x.since
         FROM (SELECT child_id, 1 AS rank, 'child_protection_plan' AS status, min(start_date) AS since
                 FROM cs_plan WHERE organisation_id = :org AND kind = 'CP' AND status = 'ACTIVE' AND child_id = ANY(:made)
                GROUP BY child_id
               UNION ALL
               SELECT child_id, 2, 'looked_after', min(start_date)
                 FROM cs_looked_after WHERE organisation_id = :org AND end_date IS NULL AND child_id = ANY(:made)
                GROUP BY child_id
               UNION ALL
               SELECT child_id, 3, 'child_in_need_plan', min(start_date)
                 FROM cs_plan WHERE organisation_id = :org AND kind = 'CIN' AND status = 'ACTIVE' AND child_id = ANY(:made)
                GROUP BY child_id) x
        ORDER BY x.child_id, x.rank
       ON CONFLICT (child_id, organisation_id) DO UPDATE
         SET plan_status = EXCLUDED.plan_status, plan_start_date = EXCLUDED.plan_start_date,
             version = agency_section.version + 1, updated_at = now()`,
      { org: org.id, made },
    );
  });
  say(
    `council year ${year} (${start} to ${end}): ${totals.children} children, ${totals.cases} cases, ${totals.assessments} assessments, ` +
      `${totals.strategyDiscussions} strategy discussions, ${totals.s47s} s47 enquiries, ${totals.conferences} conferences, ${totals.plans} plans`,
  );
  return totals;
}
