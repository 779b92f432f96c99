import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { ApiError, must, type Schemas } from '../api/api-client';
import { subjectName, ukLocalToIso, ukToday } from '../format';
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
import { CONCERN_CATEGORIES } from '../labels';
import { uuidParam } from '../http/signed-in';
import { currentSearch, findChildren, searchFromForm, searchValues } from './child-search';

type Category = Schemas['CreateConcernDto']['category'];

/** The answers so far of "log a concern", kept in the session between its pages. */
interface ConcernDraft {
  idempotencyKey: string;
  childId?: string;
  childName?: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  approximateAge?: string;
  address?: string;
  school?: string;
}

function draftOf(req: Request): ConcernDraft {
  const d = (req.session.drafts?.concern ?? {}) as Partial<ConcernDraft>;
  return { idempotencyKey: d.idempotencyKey ?? randomUUID(), ...d } as ConcernDraft;
}

function saveDraft(req: Request, draft: ConcernDraft): void {
  req.session.drafts = { ...(req.session.drafts ?? {}), concern: draft as unknown as Record<string, string> };
}

function describedChild(d: ConcernDraft): string | undefined {
  if (d.childId) return d.childName;
  if (!d.givenName && !d.familyName && !d.dateOfBirth && !d.approximateAge) return undefined;
  return subjectName({
    givenName: d.givenName,
    familyName: d.familyName,
    dateOfBirth: d.dateOfBirth,
    approximateAge: d.approximateAge ? Number(d.approximateAge) : undefined,
  });
}

/** Time of day as HH:MM from "14:05", "2:05pm", "9am". */
export function parseTime(raw: string): string | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$/i.exec(raw.trim());
  if (!m) return undefined;
  let h = Number(m[1]);
  const min = Number(m[2] ?? '0');
  const half = m[3]?.toLowerCase();
  if (min > 59 || h > 23 || (half && (h < 1 || h > 12))) return undefined;
  if (half === 'pm' && h < 12) h += 12;
  if (half === 'am' && h === 12) h = 0;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

const CONCERN_FIELDS: Record<string, string> = {
  category: 'category',
  whatWasSeen: 'whatWasSeen',
  childsWords: 'childsWords',
  occurredAt: 'occurredAt-day',
  immediateDanger: 'immediateDanger',
  childId: 'category',
  subject: 'category',
};

export function concernRoutes(): Router {
  const router = Router();
  router.param('id', uuidParam);

  router.get('/concerns/new', (req, res) => {
    const draft = draftOf(req);
    saveDraft(req, draft);
    const search = currentSearch(req, 'concern');
    res.render('pages/concerns/new-child', {
      form: formView(takeForm(req, 'concern-search'), searchValues(search)),
      canSearch: req.user!.can.readChildren,
      chosen: describedChild(draft),
    });
  });

  router.post('/concerns/new/search', (req, res) => {
    const { search, errors, values } = searchFromForm(req.body, 'concern');
    if (!search) return backWithErrors(req, res, 'concern-search', values, errors, '/concerns/new');
    req.session.childSearch = search;
    res.redirect(303, '/concerns/new/choose-child');
  });

  router.get('/concerns/new/choose-child', async (req, res) => {
    const search = currentSearch(req, 'concern');
    if (!search) return res.redirect(303, '/concerns/new');
    res.render('pages/concerns/choose-child', { results: await findChildren(req.api, search), search });
  });

  router.post('/concerns/new/child', async (req, res) => {
    const childId = field(req.body, 'childId');
    // Read through the API: a child the person may not see is a 404 here, as everywhere.
    const child = must(await req.api.GET('/api/v1/children/{id}', { params: { path: { id: childId } } }));
    const draft = draftOf(req);
    saveDraft(req, {
      idempotencyKey: draft.idempotencyKey,
      childId: child.id,
      childName: [child.givenName, child.familyName].filter(Boolean).join(' '),
      givenName: child.givenName ?? undefined,
      familyName: child.familyName ?? undefined,
      dateOfBirth: child.dateOfBirth ?? undefined,
    });
    delete req.session.childSearch;
    res.redirect(303, '/concerns/new/concern');
  });

  router.get('/concerns/new/child-details', (req, res) => {
    const d = draftOf(req);
    const [y, m, day] = (d.childId ? '' : (d.dateOfBirth ?? '')).split('-');
    res.render('pages/concerns/child-details', {
      form: formView(takeForm(req, 'concern-child'), {
        givenName: d.childId ? '' : (d.givenName ?? ''),
        familyName: d.childId ? '' : (d.familyName ?? ''),
        'dateOfBirth-day': day ? String(Number(day)) : '',
        'dateOfBirth-month': m ? String(Number(m)) : '',
        'dateOfBirth-year': y ?? '',
        approximateAge: d.approximateAge ?? '',
        address: d.address ?? '',
        school: d.school ?? '',
      }),
    });
  });

  router.post('/concerns/new/child-details', (req, res) => {
    const values = Object.fromEntries(
      [
        'givenName',
        'familyName',
        'dateOfBirth-day',
        'dateOfBirth-month',
        'dateOfBirth-year',
        'approximateAge',
        'address',
        'school',
      ].map((k) => [k, field(req.body, k)]),
    );
    const errors: FormError[] = [];
    const dob = dateFromParts(
      values['dateOfBirth-day'],
      values['dateOfBirth-month'],
      values['dateOfBirth-year'],
      'Date of birth',
    );
    if (dob.error) errors.push({ field: 'dateOfBirth-day', text: dob.error });
    else if (dob.value && dob.value > new Date().toISOString().slice(0, 10)) {
      errors.push({ field: 'dateOfBirth-day', text: 'Date of birth must be in the past' });
    }
    if (values.approximateAge && !/^\d{1,2}$/.test(values.approximateAge)) {
      errors.push({ field: 'approximateAge', text: 'Approximate age must be a whole number, like 12' });
    } else if (values.approximateAge && Number(values.approximateAge) > 25) {
      errors.push({ field: 'approximateAge', text: 'Approximate age must be 25 or under' });
    }
    for (const [k, label, max] of [
      ['givenName', 'First name', 100],
      ['familyName', 'Last name', 100],
      ['address', 'Address', 300],
      ['school', 'School', 200],
    ] as const) {
      if (values[k].length > max) errors.push({ field: k, text: `${label} must be ${max} characters or fewer` });
    }
    if (!values.givenName && !values.familyName && !dob.value && !dob.error && !values.approximateAge) {
      errors.push({ field: 'givenName', text: "Enter the child's name, date of birth or approximate age" });
    }
    if (errors.length) return backWithErrors(req, res, 'concern-child', values, errors, '/concerns/new/child-details');
    const draft = draftOf(req);
    saveDraft(req, {
      idempotencyKey: draft.idempotencyKey,
      givenName: values.givenName || undefined,
      familyName: values.familyName || undefined,
      dateOfBirth: dob.value,
      approximateAge: values.approximateAge || undefined,
      address: values.address || undefined,
      school: values.school || undefined,
    });
    res.redirect(303, '/concerns/new/concern');
  });

  router.get('/concerns/new/concern', (req, res) => {
    const draft = draftOf(req);
    const child = describedChild(draft);
    if (!child) return res.redirect(303, '/concerns/new');
    res.render('pages/concerns/concern-form', {
      form: formView(takeForm(req, 'concern'), {}),
      child,
      idempotencyKey: draft.idempotencyKey,
    });
  });

  router.post('/concerns/new/concern', async (req, res) => {
    const draft = draftOf(req);
    if (!describedChild(draft)) return res.redirect(303, '/concerns/new');
    const values = Object.fromEntries(
      [
        'category',
        'whatWasSeen',
        'childsWords',
        'occurredAt-day',
        'occurredAt-month',
        'occurredAt-year',
        'occurredAtTime',
        'immediateDanger',
      ].map((k) => [k, field(req.body, k)]),
    );
    const errors: FormError[] = [];
    if (!(values.category in CONCERN_CATEGORIES))
      errors.push({ field: 'category', text: 'Select the kind of concern' });
    if (!values.whatWasSeen) errors.push({ field: 'whatWasSeen', text: 'Enter what you saw or heard' });
    else if (values.whatWasSeen.length > 20000) {
      errors.push({ field: 'whatWasSeen', text: 'What you saw or heard must be 20,000 characters or fewer' });
    }
    if (values.childsWords.length > 20000) {
      errors.push({ field: 'childsWords', text: "The child's words must be 20,000 characters or fewer" });
    }
    const day = dateFromParts(
      values['occurredAt-day'],
      values['occurredAt-month'],
      values['occurredAt-year'],
      'The date it happened',
    );
    if (!day.value && !day.error) errors.push({ field: 'occurredAt-day', text: 'Enter the date it happened' });
    if (day.error) errors.push({ field: 'occurredAt-day', text: day.error });
    const time = values.occurredAtTime ? parseTime(values.occurredAtTime) : undefined;
    if (values.occurredAtTime && !time) {
      errors.push({ field: 'occurredAtTime', text: 'Enter a real time, like 9:30am or 14:05' });
    }
    let occurredAt: string | undefined;
    if (day.value && (time || !values.occurredAtTime)) {
      // No time given: now if it was today, else midday.
      occurredAt = time
        ? ukLocalToIso(day.value, time)
        : day.value === ukToday()
          ? new Date().toISOString()
          : ukLocalToIso(day.value, '12:00');
      if (Date.parse(occurredAt) > Date.now() + 5 * 60_000) {
        errors.push({ field: 'occurredAt-day', text: 'The date it happened must be today or in the past' });
      }
    }
    if (values.immediateDanger !== 'yes' && values.immediateDanger !== 'no') {
      errors.push({ field: 'immediateDanger', text: 'Select yes if the child is in immediate danger' });
    }
    if (errors.length) return backWithErrors(req, res, 'concern', values, errors, '/concerns/new/concern');

    const subject = draft.childId
      ? { givenName: draft.givenName, familyName: draft.familyName, dateOfBirth: draft.dateOfBirth }
      : {
          givenName: draft.givenName,
          familyName: draft.familyName,
          dateOfBirth: draft.dateOfBirth,
          approximateAge: draft.approximateAge ? Number(draft.approximateAge) : undefined,
          address: draft.address,
          school: draft.school,
        };
    try {
      const concern = must(
        await req.api.POST('/api/v1/concerns', {
          // The same key for every try of this concern: a double submit cannot log it twice.
          headers: { 'Idempotency-Key': draft.idempotencyKey },
          body: {
            childId: draft.childId,
            subject: Object.fromEntries(Object.entries(subject).filter(([, v]) => v !== undefined)),
            category: values.category as Category,
            whatWasSeen: values.whatWasSeen,
            childsWords: values.childsWords || undefined,
            occurredAt: occurredAt!,
            immediateDanger: values.immediateDanger === 'yes',
          },
        }),
      );
      delete req.session.drafts?.concern;
      res.redirect(303, `/concerns/${concern.id}/confirmation`);
    } catch (err) {
      if (!isApiValidation(err)) throw err;
      backWithErrors(
        req,
        res,
        'concern',
        values,
        apiFieldErrors(err, CONCERN_FIELDS, 'category'),
        '/concerns/new/concern',
      );
    }
  });

  router.get('/concerns/:id/confirmation', async (req, res) => {
    const concern = must(await req.api.GET('/api/v1/concerns/{id}', { params: { path: { id: req.params.id } } }));
    res.render('pages/concerns/confirmation', { concern, reference: referenceOf(concern.id) });
  });

  router.get('/concerns', async (req, res) => {
    const page = must(await req.api.GET('/api/v1/concerns/inbox', { params: { query: { limit: 100 } } }));
    const open = page.data.filter((c) => c.status === 'OPEN');
    const decided = page.data.filter((c) => c.status !== 'OPEN');
    res.render('pages/concerns/inbox', { open, decided });
  });

  router.get('/concerns/:id', async (req, res) => {
    const concern = must(await req.api.GET('/api/v1/concerns/{id}', { params: { path: { id: req.params.id } } }));
    res.render('pages/concerns/concern', {
      concern,
      reference: referenceOf(concern.id),
      canDecide: req.user!.can.decideConcerns && concern.status === 'OPEN',
      form: formView(takeForm(req, 'concern-decision')),
      idempotencyKey: randomUUID(),
    });
  });

  router.post('/concerns/:id/decision', async (req, res) => {
    const id = req.params.id;
    const decision = field(req.body, 'decision');
    const reason = field(req.body, decision === 'MONITOR' ? 'monitorReason' : 'nfaReason');
    const values = {
      decision,
      nfaReason: field(req.body, 'nfaReason'),
      monitorReason: field(req.body, 'monitorReason'),
    };
    const errors: FormError[] = [];
    if (!['NO_FURTHER_ACTION', 'MONITOR', 'REFER'].includes(decision)) {
      errors.push({ field: 'decision', text: 'Select a decision' });
    }
    if (decision === 'NO_FURTHER_ACTION' && !reason) {
      errors.push({ field: 'nfaReason', text: 'Enter why no further action is needed' });
    }
    if (reason.length > 2000) {
      errors.push({
        field: decision === 'MONITOR' ? 'monitorReason' : 'nfaReason',
        text: 'The reason must be 2,000 characters or fewer',
      });
    }
    if (errors.length) return backWithErrors(req, res, 'concern-decision', values, errors, `/concerns/${id}`);

    if (decision === 'REFER') {
      // Refer: the referral form opens filled in from the concern; sending it decides the concern.
      return res.redirect(303, `/concerns/${id}/refer`);
    }
    try {
      must(
        await req.api.POST('/api/v1/concerns/{id}/decision', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: { decision: decision as 'NO_FURTHER_ACTION' | 'MONITOR', reason: reason || undefined },
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        flash(req, 'This concern was already decided', 'Someone else decided it first. Its decision is below.');
        return res.redirect(303, `/concerns/${id}`);
      }
      if (!isApiValidation(err)) throw err;
      return backWithErrors(
        req,
        res,
        'concern-decision',
        values,
        apiFieldErrors(err, { reason: decision === 'MONITOR' ? 'monitorReason' : 'nfaReason' }, 'decision'),
        `/concerns/${id}`,
      );
    }
    flash(req, decision === 'MONITOR' ? 'Concern marked to monitor' : 'No further action recorded');
    res.redirect(303, `/concerns/${id}`);
  });

  return router;
}

/** A short reference people can read out on the phone: the first 8 characters of the concern's id. */
export function referenceOf(id: string): string {
  return `C-${id.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}
