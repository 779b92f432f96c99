import { Router } from 'express';
import { must, type Schemas } from '../api/api-client';
import { duration, subjectName } from '../format';
import { CONCERN_CATEGORIES, REFERRAL_STATUSES, REQUEST_STATUSES } from '../labels';
import { requireSignIn } from '../http/signed-in';

/** One row of "my work": something waiting for me or my team, whatever its kind. */
export interface WorkItem {
  kind: 'Concern' | 'Referral' | 'Information request';
  href: string;
  about: string;
  detail: string;
  status: string;
  dueAt: string | null;
  overdue: boolean;
  /** "3 hours" when overdue. */
  lateBy: string | null;
  immediateDanger: boolean;
}

/** Overdue first, the latest of those first; then by due time; items with no due time last. */
export function orderWork(items: WorkItem[], now = Date.now()): WorkItem[] {
  const due = (i: WorkItem) => (i.dueAt ? Date.parse(i.dueAt) : Number.POSITIVE_INFINITY);
  return items
    .map((i) => ({ ...i, lateBy: i.overdue && i.dueAt ? duration(now - Date.parse(i.dueAt)) : null }))
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || due(a) - due(b));
}

function concernItem(c: Schemas['ConcernDto']): WorkItem {
  return {
    kind: 'Concern',
    href: `/concerns/${c.id}`,
    about: subjectName(c.subject),
    detail: CONCERN_CATEGORIES[c.category as keyof typeof CONCERN_CATEGORIES] ?? c.category,
    status: 'Awaiting decision',
    dueAt: c.dueAt,
    overdue: c.overdue,
    lateBy: null,
    immediateDanger: c.immediateDanger,
  };
}

function referralItem(r: Schemas['ReferralDto']): WorkItem {
  return {
    kind: 'Referral',
    href: `/referrals/${r.id}`,
    about: subjectName(r.subject),
    detail: `From ${r.from.name}`,
    status: REFERRAL_STATUSES[r.status],
    dueAt: r.dueAt,
    overdue: r.overdue,
    lateBy: null,
    immediateDanger: r.immediateDanger,
  };
}

function requestItem(q: Schemas['InformationRequestDto']): WorkItem {
  return {
    kind: 'Information request',
    href: `/information-requests/${q.id}`,
    about: q.identification ? subjectName(q.identification) : 'Child',
    detail: `From ${q.fromOrganisationName}`,
    status: REQUEST_STATUSES[q.status],
    dueAt: q.dueAt,
    overdue: q.overdue,
    lateBy: null,
    immediateDanger: q.urgency === 'urgent',
  };
}

const OPEN_REFERRALS = new Set(['SUBMITTED', 'ACKNOWLEDGED']);

export function homeRoutes(): Router {
  const router = Router();

  router.get('/', async (req, res, next) => {
    if (!req.user) return next();
    const can = req.user.can;
    const [concerns, referrals, requests, notifications] = await Promise.all([
      can.decideConcerns
        ? req.api.GET('/api/v1/concerns/inbox', { params: { query: { status: 'OPEN', limit: 50 } } }).then(must)
        : undefined,
      can.receiveReferrals
        ? req.api.GET('/api/v1/referrals/inbox', { params: { query: { limit: 50 } } }).then(must)
        : undefined,
      can.receiveRequests
        ? req.api
            .GET('/api/v1/information-requests/inbox', { params: { query: { status: 'REQUESTED', limit: 50 } } })
            .then(must)
        : undefined,
      req.api.GET('/api/v1/notifications', { params: { query: { limit: 10 } } }).then(must),
    ]);
    const work = orderWork([
      ...(concerns?.data ?? []).map(concernItem),
      ...(referrals?.data ?? []).filter((r) => OPEN_REFERRALS.has(r.status)).map(referralItem),
      ...(requests?.data ?? []).map(requestItem),
    ]);
    res.render('pages/home', {
      work,
      overdueCount: work.filter((w) => w.overdue).length,
      counts: {
        concerns: concerns ? concerns.data.length : null,
        referrals: referrals ? referrals.data.filter((r) => OPEN_REFERRALS.has(r.status)).length : null,
        requests: requests ? requests.data.length : null,
      },
      notifications: notifications.data,
    });
  });

  router.get('/', (req, res) => {
    // Signed out: the home page is the sign-in page.
    const notice = req.session.signInNotice;
    delete req.session.signInNotice;
    res.render('pages/sign-in', { form: { values: {}, errors: [], errorSummary: [], errorFor: {} }, notice });
  });

  router.get('/notifications', requireSignIn, async (req, res) => {
    const page = must(await req.api.GET('/api/v1/notifications', { params: { query: { limit: 50 } } }));
    res.render('pages/notifications', { notifications: page.data });
  });

  router.get('/session/keep-alive', requireSignIn, (_req, res) => {
    // The request itself renewed the idle time (rolling session); the API token's end still holds.
    res.json({ endsInSeconds: res.locals.sessionEndsInSeconds as number });
  });

  router.get('/accessibility', (_req, res) => res.render('pages/accessibility'));

  return router;
}
