import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { type Api, ApiError, must, type Schemas } from '../api/api-client';
import { formatDate, subjectName } from '../format';
import {
  apiFieldErrors,
  backWithErrors,
  dateFromParts,
  field,
  flash,
  type FormError,
  formView,
  isApiValidation,
  takeForm,
} from '../http/forms';
import { uuidParam } from '../http/signed-in';
import { LAWFUL_BASES, OUTCOMES, RAGS, REFERRAL_STATUSES } from '../labels';
import { findChildren } from './child-search';

type Referral = Schemas['ReferralDto'];
type Status = Referral['status'];
type Side = 'sender' | 'receiver';

/**
 * Which moves to offer on a referral's page (the API decides; this only chooses the buttons).
 * Mirrors the API's transition table: SUBMITTED -> ACKNOWLEDGED -> ACCEPTED | DECLINED;
 * SUBMITTED/ACKNOWLEDGED -> WITHDRAWN by the sender; ACCEPTED -> CLOSED.
 */
const MOVES: Record<Status, Partial<Record<Status, Side>>> = {
  SUBMITTED: { ACKNOWLEDGED: 'receiver', WITHDRAWN: 'sender' },
  ACKNOWLEDGED: { ACCEPTED: 'receiver', DECLINED: 'receiver', WITHDRAWN: 'sender' },
  ACCEPTED: { CLOSED: 'receiver' },
  DECLINED: {},
  WITHDRAWN: {},
  CLOSED: {},
};

export function movesFor(status: Status, side: Side): Status[] {
  return (Object.entries(MOVES[status]) as [Status, Side][]).filter(([, by]) => by === side).map(([to]) => to);
}

/** What the referral form starts from: a concern being referred, a child's record, or nothing. */
interface ReferralDraft {
  idempotencyKey: string;
  concernId?: string;
  childId?: string;
  childName?: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  approximateAge?: string;
  address?: string;
  school?: string;
  reason?: string;
  immediateDanger?: string;
}

function saveDraft(req: Request, draft: ReferralDraft): void {
  req.session.drafts = { ...(req.session.drafts ?? {}), referral: draft as unknown as Record<string, string> };
}

function draftOf(req: Request): ReferralDraft | undefined {
  return req.session.drafts?.referral as unknown as ReferralDraft | undefined;
}

/** Teams that take referrals: the safeguarding lead team of every other organisation. */
async function receivingTeams(api: Api, ownOrganisationId: string) {
  const orgs = must(await api.GET('/api/v1/organisations', { params: { query: { limit: 100 } } }));
  const lead = new Set(['mash', 'cse_unit', 'safeguarding']);
  return orgs.data
    .filter((o) => o.id !== ownOrganisationId)
    .flatMap((o) =>
      o.teams.filter((t) => lead.has(t.function)).map((t) => ({ value: t.id, text: `${o.name}: ${t.name}` })),
    );
}

const REFERRAL_FIELDS: Record<string, string> = {
  toTeamId: 'toTeamId',
  reason: 'reason',
  rag: 'rag',
  consentObtained: 'consentObtained',
  noConsentReason: 'noConsentReason',
  lawfulBasis: 'lawfulBasis',
  concernIds: 'reason',
  childId: 'reason',
  subject: 'reason',
};

export function referralRoutes(): Router {
  const router = Router();
  router.param('id', uuidParam);

  // Refer from a concern (the lead's decision) or from a child's record: the form opens filled in.
  router.get('/concerns/:id/refer', async (req, res) => {
    const concern = must(await req.api.GET('/api/v1/concerns/{id}', { params: { path: { id: req.params.id } } }));
    if (concern.status !== 'OPEN') return res.redirect(303, `/concerns/${concern.id}`);
    const s = concern.subject;
    saveDraft(req, {
      idempotencyKey: randomUUID(),
      concernId: concern.id,
      childId: concern.childId ?? undefined,
      childName: subjectName(s),
      givenName: s.givenName ?? undefined,
      familyName: s.familyName ?? undefined,
      dateOfBirth: s.dateOfBirth ?? undefined,
      approximateAge:
        s.approximateAge !== undefined && s.approximateAge !== null ? String(s.approximateAge) : undefined,
      address: s.address ?? undefined,
      school: s.school ?? undefined,
      reason: concern.whatWasSeen ?? undefined,
      immediateDanger: concern.immediateDanger ? 'yes' : 'no',
    });
    res.redirect(303, '/referrals/new');
  });

  router.get('/children/:id/refer', async (req, res) => {
    const child = must(await req.api.GET('/api/v1/children/{id}', { params: { path: { id: req.params.id } } }));
    saveDraft(req, {
      idempotencyKey: randomUUID(),
      childId: child.id,
      childName: [child.givenName, child.familyName].filter(Boolean).join(' '),
    });
    res.redirect(303, '/referrals/new');
  });

  router.get('/referrals/new', async (req, res) => {
    const draft = draftOf(req);
    if (!draft) return res.redirect(303, '/referrals');
    res.render('pages/referrals/new', {
      draft,
      teams: await receivingTeams(req.api, req.user!.organisationId),
      form: formView(takeForm(req, 'referral'), {
        reason: draft.reason ?? '',
        immediateDanger: draft.immediateDanger ?? '',
        rag: draft.immediateDanger === 'yes' ? 'RED' : '',
      }),
    });
  });

  router.post('/referrals/new', async (req, res) => {
    const draft = draftOf(req);
    if (!draft) return res.redirect(303, '/referrals');
    const values = Object.fromEntries(
      ['toTeamId', 'reason', 'rag', 'immediateDanger', 'consentObtained', 'noConsentReason', 'lawfulBasis'].map((k) => [
        k,
        field(req.body, k),
      ]),
    );
    const errors: FormError[] = [];
    if (!values.toTeamId) errors.push({ field: 'toTeamId', text: 'Select the team you are referring to' });
    if (!values.reason) errors.push({ field: 'reason', text: 'Enter why you are referring the child' });
    else if (values.reason.length > 20000) {
      errors.push({ field: 'reason', text: 'The reason must be 20,000 characters or fewer' });
    }
    if (!(values.rag in RAGS)) errors.push({ field: 'rag', text: 'Select how urgent the referral is' });
    if (values.immediateDanger !== 'yes' && values.immediateDanger !== 'no') {
      errors.push({ field: 'immediateDanger', text: 'Select yes if the child is in immediate danger' });
    }
    if (values.consentObtained !== 'yes' && values.consentObtained !== 'no') {
      errors.push({ field: 'consentObtained', text: 'Select yes if consent to share was obtained' });
    }
    if (values.consentObtained === 'no') {
      if (!values.noConsentReason) {
        errors.push({ field: 'noConsentReason', text: 'Enter why consent was not sought or obtained' });
      } else if (values.noConsentReason.length > 1000) {
        errors.push({ field: 'noConsentReason', text: 'The reason must be 1,000 characters or fewer' });
      }
      if (!(values.lawfulBasis in LAWFUL_BASES)) {
        errors.push({ field: 'lawfulBasis', text: 'Select the lawful basis for sharing without consent' });
      }
    }
    if (errors.length) return backWithErrors(req, res, 'referral', values, errors, '/referrals/new');
    const subject = Object.fromEntries(
      Object.entries({
        givenName: draft.givenName,
        familyName: draft.familyName,
        dateOfBirth: draft.dateOfBirth,
        approximateAge: draft.approximateAge ? Number(draft.approximateAge) : undefined,
        address: draft.address,
        school: draft.school,
      }).filter(([, v]) => v !== undefined),
    );
    try {
      const referral = must(
        await req.api.POST('/api/v1/referrals', {
          headers: { 'Idempotency-Key': draft.idempotencyKey },
          body: {
            toTeamId: values.toTeamId,
            childId: draft.childId,
            subject: draft.childId ? undefined : subject,
            reason: values.reason,
            rag: values.rag as Schemas['CreateReferralDto']['rag'],
            immediateDanger: values.immediateDanger === 'yes',
            consentObtained: values.consentObtained === 'yes',
            noConsentReason: values.consentObtained === 'no' ? values.noConsentReason : undefined,
            lawfulBasis:
              values.consentObtained === 'no'
                ? (values.lawfulBasis as Schemas['CreateReferralDto']['lawfulBasis'])
                : undefined,
            concernIds: draft.concernId ? [draft.concernId] : undefined,
          },
        }),
      );
      delete req.session.drafts?.referral;
      flash(req, 'Referral sent', `${referral.toTeam.name}, ${referral.to.name} has been told.`);
      res.redirect(303, `/referrals/${referral.id}`);
    } catch (err) {
      if (!isApiValidation(err)) throw err;
      backWithErrors(req, res, 'referral', values, apiFieldErrors(err, REFERRAL_FIELDS, 'reason'), '/referrals/new');
    }
  });

  router.get('/referrals', async (req, res) => {
    if (!req.user!.can.receiveReferrals) return res.redirect(303, '/referrals/sent');
    const scope = req.query.scope === 'organisation' ? 'organisation' : 'mine';
    const page = must(await req.api.GET('/api/v1/referrals/inbox', { params: { query: { limit: 100, scope } } }));
    res.render('pages/referrals/list', { tab: 'inbox', referrals: page.data, scope });
  });

  router.get('/referrals/sent', async (req, res) => {
    const page = must(await req.api.GET('/api/v1/referrals/sent', { params: { query: { limit: 100 } } }));
    res.render('pages/referrals/list', { tab: 'sent', referrals: page.data });
  });

  router.get('/referrals/:id', async (req, res) => {
    const referral = must(await req.api.GET('/api/v1/referrals/{id}', { params: { path: { id: req.params.id } } }));
    const user = req.user!;
    const side: Side = referral.to.id === user.organisationId ? 'receiver' : 'sender';
    const canTriage = side === 'receiver' && user.can.triageReferrals;
    // Children's services decide with an outcome (which accepts or declines); other receivers
    // accept or decline outright.
    const moves = (user.can.receiveReferrals || side === 'sender' ? movesFor(referral.status, side) : []).filter(
      (to) => !(canTriage && (to === 'ACCEPTED' || to === 'DECLINED')),
    );
    const open = ['SUBMITTED', 'ACKNOWLEDGED'].includes(referral.status);
    // Accepting a referral about a child not yet identified needs the child's record: offer the
    // records the receiver can see that match, or a new one.
    const needsChild = moves.includes('ACCEPTED') && !referral.childId;
    const candidates = needsChild && user.can.readChildren ? await childCandidates(req.api, referral.subject) : [];
    const form = formView(takeForm(req, 'referral-action'));
    const childItems: object[] = candidates.map((c) => ({ ...c, checked: form.values.childChoice === c.value }));
    if (referral.subject.givenName && referral.subject.familyName) {
      if (childItems.length) childItems.push({ divider: 'or' });
      childItems.push({
        value: 'new',
        text: `Register a new record for ${subjectName(referral.subject)}`,
        checked: form.values.childChoice === 'new',
      });
    }
    const [y, m, d] = (referral.subject.dateOfBirth ?? '').split('-');
    res.render('pages/referrals/referral', {
      newDateOfBirth: {
        day: form.values['newDateOfBirth-day'] ?? (d ? String(Number(d)) : ''),
        month: form.values['newDateOfBirth-month'] ?? (m ? String(Number(m)) : ''),
        year: form.values['newDateOfBirth-year'] ?? (y || ''),
      },
      referral,
      side,
      moves,
      needsChild,
      childItems,
      canTriage: canTriage && open,
      form,
      idempotencyKey: randomUUID(),
    });
  });

  router.post('/referrals/:id/transition', async (req, res) => {
    const id = req.params.id;
    const to = field(req.body, 'to') as Status;
    const reasonField = `${to.toLowerCase()}Reason`;
    const reason = field(req.body, reasonField);
    const values = { to, [reasonField]: reason };
    if (!(to in REFERRAL_STATUSES)) return res.redirect(303, `/referrals/${id}`);
    if ((to === 'DECLINED' || to === 'WITHDRAWN') && !reason) {
      const text = to === 'DECLINED' ? 'Enter why you are declining the referral' : 'Enter why you are withdrawing it';
      return backWithErrors(req, res, 'referral-action', values, [{ field: reasonField, text }], `/referrals/${id}`);
    }
    let childId: string | undefined;
    const choice = field(req.body, 'childChoice');
    if (to === 'ACCEPTED' && field(req.body, 'needsChild') === 'yes') {
      if (!choice) {
        return backWithErrors(
          req,
          res,
          'referral-action',
          { ...values, childChoice: choice },
          [{ field: 'childChoice', text: "Select the child's record, or register a new one" }],
          `/referrals/${id}`,
        );
      }
      let dateOfBirth: string | undefined;
      if (choice === 'new') {
        const dob = dateFromParts(
          field(req.body, 'newDateOfBirth-day'),
          field(req.body, 'newDateOfBirth-month'),
          field(req.body, 'newDateOfBirth-year'),
          'Date of birth',
        );
        if (!dob.value) {
          return backWithErrors(
            req,
            res,
            'referral-action',
            {
              ...values,
              childChoice: choice,
              'newDateOfBirth-day': field(req.body, 'newDateOfBirth-day'),
              'newDateOfBirth-month': field(req.body, 'newDateOfBirth-month'),
              'newDateOfBirth-year': field(req.body, 'newDateOfBirth-year'),
            },
            [{ field: 'newDateOfBirth-day', text: dob.error ?? "Enter the child's date of birth" }],
            `/referrals/${id}`,
          );
        }
        dateOfBirth = dob.value;
      }
      childId = choice === 'new' ? await registerSubject(req, id, dateOfBirth!) : choice;
      if (!childId) {
        return backWithErrors(
          req,
          res,
          'referral-action',
          { ...values, childChoice: choice },
          [
            {
              field: 'childChoice',
              text: 'This child may already be known to another agency: find their record, or ask that agency',
            },
          ],
          `/referrals/${id}`,
        );
      }
    }
    await act(
      req,
      res,
      id,
      values,
      to === 'ACCEPTED' ? 'childChoice' : reasonField,
      () =>
        req.api.POST('/api/v1/referrals/{id}/transitions', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: { to, reason: reason || undefined, childId },
        }),
      `Referral ${REFERRAL_STATUSES[to].toLowerCase()}`,
    );
  });

  router.post('/referrals/:id/triage', async (req, res) => {
    const id = req.params.id;
    const values = { rag: field(req.body, 'rag'), triageReason: field(req.body, 'triageReason') };
    if (!(values.rag in RAGS)) {
      return backWithErrors(
        req,
        res,
        'referral-action',
        values,
        [{ field: 'rag', text: 'Select a RAG rating' }],
        `/referrals/${id}`,
      );
    }
    await act(
      req,
      res,
      id,
      values,
      'triageReason',
      () =>
        req.api.POST('/api/v1/referrals/{id}/triage', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: { rag: values.rag as Schemas['TriageDto']['rag'], reason: values.triageReason || undefined },
        }),
      'Triage recorded',
    );
  });

  router.post('/referrals/:id/decision', async (req, res) => {
    const id = req.params.id;
    const values = { outcome: field(req.body, 'outcome'), outcomeReason: field(req.body, 'outcomeReason') };
    const errors: FormError[] = [];
    if (!(values.outcome in OUTCOMES)) errors.push({ field: 'outcome', text: 'Select the outcome' });
    if (!values.outcomeReason) errors.push({ field: 'outcomeReason', text: 'Enter the reasons for the decision' });
    if (errors.length) return backWithErrors(req, res, 'referral-action', values, errors, `/referrals/${id}`);
    await act(
      req,
      res,
      id,
      values,
      'outcomeReason',
      () =>
        req.api.POST('/api/v1/referrals/{id}/decision', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: { outcome: values.outcome as Schemas['DecisionDto']['outcome'], reason: values.outcomeReason },
        }),
      'Decision recorded',
    );
  });

  return router;
}

/** Records the receiver can see that may be the referred child: by name, and by date of birth. */
async function childCandidates(api: Api, subject: Referral['subject']) {
  const name = [subject.givenName, subject.familyName].filter(Boolean).join(' ');
  if (name.length < 2 && !subject.dateOfBirth) return [];
  const results = await findChildren(api, {
    name: name.length >= 2 ? name : '',
    identifier: '',
    dateOfBirth: name.length >= 2 ? '' : (subject.dateOfBirth ?? ''),
    purpose: 'record',
  });
  return results.map((c) => ({
    value: c.id,
    text: `${c.name}${c.dateOfBirth ? `, born ${formatDate(c.dateOfBirth)}` : ''}`,
    hint: {
      text: `${c.match} match${c.identifiers.length ? `; ${c.identifiers.map((i) => `${i.label} ${i.value}`).join(', ')}` : ''}`,
    },
  }));
}

/**
 * A new record for the referred child, from what the referral says of them. An existing record the
 * receiver can see is used instead; a possible match held by another agency is not (undefined).
 */
async function registerSubject(req: Request, referralId: string, dateOfBirth: string): Promise<string | undefined> {
  const referral = must(await req.api.GET('/api/v1/referrals/{id}', { params: { path: { id: referralId } } }));
  const s = referral.subject;
  if (!s.givenName || !s.familyName) return undefined;
  try {
    const child = must(
      await req.api.POST('/api/v1/children', {
        headers: { 'Idempotency-Key': `register-${referralId}-${dateOfBirth}` },
        body: { givenName: s.givenName, familyName: s.familyName, dateOfBirth, sex: 'U' },
      }),
    );
    return child.id;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      const existing = err.extensions.childId;
      return typeof existing === 'string' ? existing : undefined;
    }
    throw err;
  }
}

/** One action on a referral: 409 (someone else moved it first) and 400 come back as messages. */
async function act(
  req: Request,
  res: import('express').Response,
  id: string,
  values: Record<string, string>,
  reasonField: string,
  call: () => Promise<{ data?: unknown; error?: unknown; response: Response }>,
  done: string,
): Promise<void> {
  try {
    must(await call());
    flash(req, done);
    res.redirect(303, `/referrals/${id}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 422)) {
      const text =
        err.status === 409
          ? 'The referral has changed since you opened it. Check its status below and try again'
          : (err.detail ?? 'The referral cannot be changed like this');
      return backWithErrors(req, res, 'referral-action', values, [{ field: reasonField, text }], `/referrals/${id}`);
    }
    if (!isApiValidation(err)) throw err;
    backWithErrors(
      req,
      res,
      'referral-action',
      values,
      apiFieldErrors(err, { reason: reasonField, rag: 'rag', outcome: 'outcome' }, reasonField),
      `/referrals/${id}`,
    );
  }
}
