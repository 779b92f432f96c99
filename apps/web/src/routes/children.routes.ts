import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { type Api, ApiError, must, type Schemas } from '../api/api-client';
import { ukLocalToIso, ukToday } from '../format';
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
import { CHRONOLOGY_CATEGORIES, SENSITIVITY_CLASSES } from '../labels';
import { currentSearch, findChildren, searchFromForm, searchValues } from './child-search';
import { parseTime } from './concerns.routes';

type Entry = Schemas['ChronologyEntryDto'];
type NewEntry = Schemas['CreateChronologyEntryDto'];

/** Classes an agency records its own entries in (the API refuses others: this only offers them). */
const RECORDABLE: Record<string, (keyof typeof SENSITIVITY_CLASSES)[]> = {
  police_force: ['identity', 'contact', 'police-intelligence'],
  local_authority: ['identity', 'contact', 'social-care'],
  school: ['identity', 'contact', 'education'],
  health: ['identity', 'contact', 'health', 'sexual-health'],
};

/**
 * The chronology the person may see, newest first, up to `max` entries. One place to change when
 * the API's multi-agency view (`?view=multi-agency`) lands.
 */
export async function loadChronology(
  api: Api,
  childId: string,
  view: 'all' | 'multi-agency' = 'all',
  max = 300,
): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | undefined;
  do {
    const page = must(
      await api.GET('/api/v1/children/{id}/chronology', {
        params: { path: { id: childId }, query: { limit: 100, view, ...(cursor ? { cursor } : {}) } },
      }),
    );
    entries.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && entries.length < max);
  return entries;
}

function childName(child: Schemas['ChildDto']): string {
  return [child.givenName, child.familyName].filter(Boolean).join(' ') || 'Name not shown';
}

/** The record's header: the child and the tabs of their record. */
async function childHeader(api: Api, id: string) {
  const child = must(await api.GET('/api/v1/children/{id}', { params: { path: { id } } }));
  const involvements = (child.involvements ?? []).filter((i) => i.active);
  return { child, name: childName(child), involvements, lead: child.lead ?? undefined };
}

export function childrenRoutes(): Router {
  const router = Router();
  router.param('id', uuidParam);

  // Journey 6: search by name or identifier. The terms are POSTed and kept in the session, so a
  // child's name never appears in a URL (history, logs, Referer).
  router.get('/children/search', async (req, res) => {
    const search = currentSearch(req, 'record');
    const results = search ? await findChildren(req.api, search) : undefined;
    res.render('pages/children/search', {
      form: formView(takeForm(req, 'child-search'), searchValues(search)),
      results,
    });
  });

  router.post('/children/search', (req, res) => {
    const { search, errors, values } = searchFromForm(req.body, 'record');
    if (!search) return backWithErrors(req, res, 'child-search', values, errors, '/children/search');
    req.session.childSearch = search;
    res.redirect(303, '/children/search');
  });

  router.post('/children/search/clear', (req, res) => {
    delete req.session.childSearch;
    res.redirect(303, '/children/search');
  });

  // Journey 5: the child's record.
  router.get('/children/:id', async (req, res) => {
    const header = await childHeader(req.api, req.params.id);
    // Each agency's section the person may read: their own, and others' only under a disclosure
    // (the API answers 404 for the rest, which are left out).
    const sections = (
      await Promise.all(
        header.involvements.map(async (i) => {
          const r = await req.api.GET('/api/v1/children/{id}/sections/{orgId}', {
            params: { path: { id: header.child.id, orgId: i.organisationId } },
          });
          return r.response.ok && r.data ? { organisationName: i.organisationName, section: r.data } : undefined;
        }),
      )
    ).filter((s) => s !== undefined);
    res.render('pages/children/record', { ...header, sections, tab: 'record' });
  });

  router.get('/children/:id/chronology', async (req, res) => {
    // The multi-agency chronology (the safeguarding events every agency working with the child
    // recorded for it), or every entry the person may see.
    const view = req.query.view === 'all' ? 'all' : 'multi-agency';
    // Both through the API at once: a child the person may not see fails both with the same 404.
    const [header, entries] = await Promise.all([
      childHeader(req.api, req.params.id),
      loadChronology(req.api, req.params.id, view),
    ]);
    const agency = typeof req.query.agency === 'string' ? req.query.agency : '';
    const category = typeof req.query.category === 'string' ? req.query.category : '';
    const agencies = [...new Map(entries.map((e) => [e.organisationId, e.organisationName])).entries()]
      .map(([value, text]) => ({ value, text }))
      .sort((a, b) => a.text.localeCompare(b.text));
    const shown = entries.filter(
      (e) => (!agency || e.organisationId === agency) && (!category || e.category === category),
    );
    res.render('pages/children/chronology', {
      ...header,
      tab: 'chronology',
      entries: shown,
      total: entries.length,
      view,
      filters: { agency, category },
      agencyItems: [{ value: '', text: 'All agencies' }, ...agencies].map((a) => ({
        ...a,
        selected: a.value === agency,
      })),
      categoryItems: [
        { value: '', text: 'All categories' },
        ...Object.entries(CHRONOLOGY_CATEGORIES).map(([value, text]) => ({ value, text })),
      ].map((c) => ({ ...c, selected: c.value === category })),
    });
  });

  router.get('/children/:id/chronology/new', async (req, res) => {
    const header = await childHeader(req.api, req.params.id);
    const recordable = RECORDABLE[req.user!.organisationType] ?? [];
    const form = formView(takeForm(req, 'chronology-entry'), { shareable: 'yes', multiAgency: 'no' });
    res.render('pages/children/chronology-new', {
      ...header,
      tab: 'chronology',
      form,
      idempotencyKey: randomUUID(),
      sensitivityItems: recordable.map((value) => ({
        value,
        text: SENSITIVITY_CLASSES[value],
        checked: form.values.sensitivity === value,
      })),
    });
  });

  router.post('/children/:id/chronology', async (req, res) => {
    const id = req.params.id;
    const values = Object.fromEntries(
      [
        'category',
        'summary',
        'detail',
        'sensitivity',
        'shareable',
        'multiAgency',
        'occurredAt-day',
        'occurredAt-month',
        'occurredAt-year',
        'occurredAtTime',
      ].map((k) => [k, field(req.body, k)]),
    );
    const errors: FormError[] = [];
    const day = dateFromParts(
      values['occurredAt-day'],
      values['occurredAt-month'],
      values['occurredAt-year'],
      'The date',
    );
    if (day.error) errors.push({ field: 'occurredAt-day', text: day.error });
    else if (!day.value) errors.push({ field: 'occurredAt-day', text: 'Enter the date it happened' });
    const time = values.occurredAtTime ? parseTime(values.occurredAtTime) : undefined;
    if (values.occurredAtTime && !time)
      errors.push({ field: 'occurredAtTime', text: 'Enter a real time, like 9:30am or 14:05' });
    if (!(values.category in CHRONOLOGY_CATEGORIES)) errors.push({ field: 'category', text: 'Select a category' });
    if (!values.summary) errors.push({ field: 'summary', text: 'Enter a summary' });
    else if (values.summary.length > 300)
      errors.push({ field: 'summary', text: 'The summary must be 300 characters or fewer' });
    if (values.detail.length > 20000)
      errors.push({ field: 'detail', text: 'The detail must be 20,000 characters or fewer' });
    if (!(values.sensitivity in SENSITIVITY_CLASSES)) {
      errors.push({ field: 'sensitivity', text: 'Select what kind of information it is' });
    }
    if (values.shareable !== 'yes' && values.shareable !== 'no') {
      errors.push({ field: 'shareable', text: 'Select yes if other agencies working with the child may see it' });
    }
    let occurredAt: string | undefined;
    if (day.value && !errors.some((e) => e.field === 'occurredAtTime')) {
      occurredAt = time
        ? ukLocalToIso(day.value, time)
        : day.value === ukToday()
          ? new Date().toISOString()
          : ukLocalToIso(day.value, '12:00');
      if (Date.parse(occurredAt) > Date.now() + 5 * 60_000) {
        errors.push({ field: 'occurredAt-day', text: 'The date must be today or in the past' });
      }
    }
    const back = `/children/${id}/chronology/new`;
    if (errors.length) return backWithErrors(req, res, 'chronology-entry', values, errors, back);
    try {
      must(
        await req.api.POST('/api/v1/children/{id}/chronology', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: {
            occurredAt: occurredAt!,
            category: values.category as NewEntry['category'],
            summary: values.summary,
            detail: values.detail || undefined,
            sensitivity: values.sensitivity as NewEntry['sensitivity'],
            shareable: values.shareable === 'yes',
            multiAgency: values.multiAgency === 'yes',
          },
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        return backWithErrors(
          req,
          res,
          'chronology-entry',
          values,
          [{ field: 'sensitivity', text: 'Your organisation cannot record this kind of information' }],
          back,
        );
      }
      if (!isApiValidation(err)) throw err;
      return backWithErrors(
        req,
        res,
        'chronology-entry',
        values,
        apiFieldErrors(err, { occurredAt: 'occurredAt-day' }, 'summary'),
        back,
      );
    }
    flash(req, 'Chronology entry added');
    res.redirect(303, `/children/${id}/chronology?view=${values.multiAgency === 'yes' ? 'multi-agency' : 'all'}`);
  });

  router.get('/children/:id/access-log', async (req, res) => {
    const header = await childHeader(req.api, req.params.id);
    const page = must(
      await req.api.GET('/api/v1/children/{id}/access-log', {
        params: { path: { id: header.child.id }, query: { limit: 100 } },
      }),
    );
    res.render('pages/children/access-log', { ...header, tab: 'access-log', events: page.data });
  });

  // Break-glass: open a record outside need-to-know in an emergency; the reason is required and kept.
  router.get('/children/:id/break-glass', (req, res) => {
    res.render('pages/children/break-glass', {
      childId: req.params.id,
      form: formView(takeForm(req, 'break-glass')),
      idempotencyKey: randomUUID(),
    });
  });

  router.post('/children/:id/break-glass', async (req, res) => {
    const id = req.params.id;
    const reason = field(req.body, 'reason');
    const back = `/children/${id}/break-glass`;
    if (reason.length < 10) {
      const text = reason ? 'The reason must be 10 characters or more' : 'Enter why you need to open this record now';
      return backWithErrors(req, res, 'break-glass', { reason }, [{ field: 'reason', text }], back);
    }
    if (reason.length > 1000) {
      return backWithErrors(
        req,
        res,
        'break-glass',
        { reason },
        [{ field: 'reason', text: 'The reason must be 1,000 characters or fewer' }],
        back,
      );
    }
    let grant;
    try {
      grant = must(
        await req.api.POST('/api/v1/children/{id}/break-glass', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: { reason },
        }),
      );
    } catch (err) {
      if (!isApiValidation(err)) throw err;
      return backWithErrors(req, res, 'break-glass', { reason }, apiFieldErrors(err, {}, 'reason'), back);
    }
    flash(
      req,
      'Emergency access is open',
      `Until ${new Date(grant.expiresAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' })}. Everything you look at is recorded as break-glass.`,
    );
    res.redirect(303, `/children/${id}`);
  });

  return router;
}
