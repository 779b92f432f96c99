import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { ApiError, must, type Schemas } from '../api/api-client';
import { ukLocalToIso, ukToday } from '../format';
import {
  apiFieldErrors,
  backWithErrors,
  dateFromParts,
  field,
  fields,
  flash,
  type FormError,
  formView,
  isApiValidation,
  takeForm,
} from '../http/forms';
import { uuidParam } from '../http/signed-in';
import { LAWFUL_BASES, SENSITIVITY_CLASSES } from '../labels';

type Request = Schemas['InformationRequestDto'];
type Agreement = Schemas['AgreementDto'];
type SensitivityClass = Schemas['CreateInformationRequestDto']['classesRequested'][number];

/** Agreements in force today that name the requester: whether each covers every class asked for. */
export function agreementsFor(request: Request, agreements: Agreement[], today = ukToday()) {
  return agreements
    .filter((a) => a.startsOn <= today && a.endsOn >= today)
    .map((a) => {
      const party = a.parties.find((p) => p.organisationId === request.fromOrganisationId);
      if (!party) return undefined;
      const receivable: string[] = party.receivableClasses;
      const covers = request.classesRequested.every((c) => receivable.includes(c));
      return { agreement: a, covers, receivable };
    })
    .filter((a) => a !== undefined);
}

const DECISION_FIELDS: Record<string, string> = {
  decision: 'decision',
  reason: 'reason',
  classes: 'classes',
  until: 'until-day',
  lawfulBasis: 'lawfulBasis',
  justification: 'justification',
  childId: 'decision',
};

export function informationRequestRoutes(): Router {
  const router = Router();
  router.param('id', uuidParam);

  router.get('/information-requests', async (req, res) => {
    if (!req.user!.can.receiveRequests) return res.redirect(303, '/information-requests/sent');
    const page = must(await req.api.GET('/api/v1/information-requests/inbox', { params: { query: { limit: 100 } } }));
    res.render('pages/information-requests/list', { tab: 'inbox', requests: page.data });
  });

  router.get('/information-requests/sent', async (req, res) => {
    const page = must(await req.api.GET('/api/v1/information-requests/sent', { params: { query: { limit: 100 } } }));
    res.render('pages/information-requests/list', { tab: 'sent', requests: page.data });
  });

  // Ask another organisation about a child whose record you hold.
  router.get('/children/:id/ask', async (req, res) => {
    const child = must(await req.api.GET('/api/v1/children/{id}', { params: { path: { id: req.params.id } } }));
    const orgs = must(await req.api.GET('/api/v1/organisations', { params: { query: { limit: 100 } } }));
    const form = formView(takeForm(req, 'ask'), { urgency: 'standard' });
    res.render('pages/information-requests/ask', {
      child,
      childName: [child.givenName, child.familyName].filter(Boolean).join(' '),
      form,
      idempotencyKey: randomUUID(),
      organisationItems: [
        { value: '', text: 'Choose an organisation' },
        ...orgs.data
          .filter((o) => o.id !== req.user!.organisationId && o.type !== 'oversight')
          .map((o) => ({ value: o.id, text: o.name, selected: form.values.toOrganisationId === o.id })),
      ],
      classItems: Object.entries(SENSITIVITY_CLASSES).map(([value, text]) => ({
        value,
        text,
        checked: ([] as string[]).concat(form.values.classesRequested ?? []).includes(value),
      })),
    });
  });

  router.post('/children/:id/ask', async (req, res) => {
    const childId = req.params.id;
    const values = {
      toOrganisationId: field(req.body, 'toOrganisationId'),
      purpose: field(req.body, 'purpose'),
      classesRequested: fields(req.body, 'classesRequested'),
      urgency: field(req.body, 'urgency'),
    };
    const errors: FormError[] = [];
    if (!values.toOrganisationId) errors.push({ field: 'toOrganisationId', text: 'Select the organisation to ask' });
    if (!values.purpose) errors.push({ field: 'purpose', text: 'Enter why you need the information' });
    else if (values.purpose.length > 2000)
      errors.push({ field: 'purpose', text: 'The purpose must be 2,000 characters or fewer' });
    if (!values.classesRequested.length || !values.classesRequested.every((c) => c in SENSITIVITY_CLASSES)) {
      errors.push({ field: 'classesRequested', text: 'Select what kind of information you need' });
    }
    if (values.urgency !== 'urgent' && values.urgency !== 'standard') {
      errors.push({ field: 'urgency', text: 'Select how urgent it is' });
    }
    const back = `/children/${childId}/ask`;
    if (errors.length) return backWithErrors(req, res, 'ask', values, errors, back);
    try {
      const request = must(
        await req.api.POST('/api/v1/information-requests', {
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: {
            toOrganisationId: values.toOrganisationId,
            childId,
            purpose: values.purpose,
            classesRequested: values.classesRequested as SensitivityClass[],
            urgency: values.urgency as 'urgent' | 'standard',
          },
        }),
      );
      flash(
        req,
        'Request sent',
        `${request.toOrganisationName} must decide by ${new Date(request.dueAt).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' })}.`,
      );
      res.redirect(303, `/information-requests/${request.id}`);
    } catch (err) {
      if (!isApiValidation(err)) throw err;
      backWithErrors(
        req,
        res,
        'ask',
        values,
        apiFieldErrors(
          err,
          {
            purpose: 'purpose',
            classesRequested: 'classesRequested',
            toOrganisationId: 'toOrganisationId',
            urgency: 'urgency',
          },
          'purpose',
        ),
        back,
      );
    }
  });

  router.get('/information-requests/:id', async (req, res) => {
    const request = must(
      await req.api.GET('/api/v1/information-requests/{id}', { params: { path: { id: req.params.id } } }),
    );
    const user = req.user!;
    const deciding =
      request.toOrganisationId === user.organisationId && user.can.receiveRequests && request.status === 'REQUESTED';
    const agreements = deciding
      ? agreementsFor(
          request,
          must(await req.api.GET('/api/v1/sharing/agreements', { params: { query: { limit: 100 } } })).data,
        )
      : [];
    const form = formView(takeForm(req, 'request-decision'), {
      classes: request.classesRequested,
      lawfulBasis: (agreements.find((a) => a.covers) ?? agreements[0])?.agreement.lawfulBasis ?? '',
    });
    const classesChosen = ([] as string[]).concat(form.values.classes ?? []);
    res.render('pages/information-requests/request', {
      request,
      deciding,
      agreements,
      covered: agreements.some((a) => a.covers),
      form,
      idempotencyKey: randomUUID(),
      classItems: request.classesRequested.map((c) => ({
        value: c,
        text: SENSITIVITY_CLASSES[c as SensitivityClass] ?? c,
        checked: classesChosen.includes(c),
      })),
      lawfulItems: [
        { value: '', text: 'Choose the lawful basis' },
        ...Object.entries(LAWFUL_BASES).map(([value, text]) => ({
          value,
          text,
          selected: form.values.lawfulBasis === value,
        })),
      ],
    });
  });

  router.post('/information-requests/:id/decision', async (req, res) => {
    const id = req.params.id;
    const values = {
      decision: field(req.body, 'decision'),
      reason: field(req.body, 'reason'),
      classes: fields(req.body, 'classes'),
      'until-day': field(req.body, 'until-day'),
      'until-month': field(req.body, 'until-month'),
      'until-year': field(req.body, 'until-year'),
      lawfulBasis: field(req.body, 'lawfulBasis'),
      justification: field(req.body, 'justification'),
    };
    const errors: FormError[] = [];
    if (values.decision !== 'DISCLOSE' && values.decision !== 'DECLINE') {
      errors.push({ field: 'decision', text: 'Select whether you will share the information' });
    }
    if (!values.reason) errors.push({ field: 'reason', text: 'Enter the reasons for your decision' });
    else if (values.reason.length > 2000)
      errors.push({ field: 'reason', text: 'The reasons must be 2,000 characters or fewer' });
    let until: string | undefined;
    if (values.decision === 'DISCLOSE') {
      if (!values.classes.length) errors.push({ field: 'classes', text: 'Select what you will share' });
      const day = dateFromParts(values['until-day'], values['until-month'], values['until-year'], 'The end date');
      if (day.error) errors.push({ field: 'until-day', text: day.error });
      else if (!day.value) errors.push({ field: 'until-day', text: 'Enter the date sharing ends' });
      else if (day.value <= ukToday()) errors.push({ field: 'until-day', text: 'The end date must be in the future' });
      else until = ukLocalToIso(day.value, '23:59');
      if (!(values.lawfulBasis in LAWFUL_BASES))
        errors.push({ field: 'lawfulBasis', text: 'Select the lawful basis for sharing' });
    }
    const back = `/information-requests/${id}`;
    if (errors.length) return backWithErrors(req, res, 'request-decision', values, errors, back);
    const disclose = values.decision === 'DISCLOSE';
    try {
      must(
        await req.api.POST('/api/v1/information-requests/{id}/decision', {
          params: { path: { id } },
          headers: { 'Idempotency-Key': field(req.body, 'idempotencyKey') || randomUUID() },
          body: {
            decision: values.decision as 'DISCLOSE' | 'DECLINE',
            reason: values.reason,
            classes: disclose ? (values.classes as SensitivityClass[]) : undefined,
            until: disclose ? until : undefined,
            lawfulBasis: disclose ? (values.lawfulBasis as Schemas['RequestDecisionDto']['lawfulBasis']) : undefined,
            justification: disclose && values.justification ? values.justification : undefined,
          },
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.status === 422)) {
        const text =
          err.status === 409
            ? 'Someone has already decided this request. Its decision is below'
            : (err.detail ?? 'The decision was refused');
        return backWithErrors(req, res, 'request-decision', values, [{ field: 'decision', text }], back);
      }
      if (!isApiValidation(err)) throw err;
      return backWithErrors(
        req,
        res,
        'request-decision',
        values,
        apiFieldErrors(err, DECISION_FIELDS, 'decision'),
        back,
      );
    }
    flash(req, disclose ? 'Information shared' : 'Request declined', 'The requesting organisation has been told.');
    res.redirect(303, back);
  });

  return router;
}
