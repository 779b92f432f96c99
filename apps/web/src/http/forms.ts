import type { Request, Response } from 'express';
import { ApiError, type FieldProblem } from '../api/api-client';

/** One error of a form: the field's id (the summary links to it) and GOV.UK-style text. */
export interface FormError {
  field: string;
  text: string;
}

export interface FormState {
  values: Record<string, string | string[]>;
  errors: FormError[];
}

/** What a form page renders: earlier values and errors (after a redirect), by field. */
export interface FormView {
  values: Record<string, string | string[]>;
  errors: FormError[];
  errorSummary: { text: string; href: string }[];
  errorFor: Record<string, { text: string }>;
}

export function formView(state: FormState | undefined, defaults: Record<string, string | string[]> = {}): FormView {
  const errors = state?.errors ?? [];
  const errorFor: Record<string, { text: string }> = {};
  for (const e of errors) errorFor[e.field] ??= { text: e.text };
  return {
    values: { ...defaults, ...(state?.values ?? {}) },
    errors,
    errorSummary: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
    errorFor,
  };
}

/** The state a failed POST left for this form, once. */
export function takeForm(req: Request, formId: string): FormState | undefined {
  const state = req.session.forms?.[formId];
  if (state && req.session.forms) delete req.session.forms[formId];
  return state;
}

/** Post/redirect/get with errors: keep what was typed and why it was refused, then show the form again. */
export function backWithErrors(
  req: Request,
  res: Response,
  formId: string,
  values: Record<string, string | string[]>,
  errors: FormError[],
  to: string,
): void {
  req.session.forms = { ...(req.session.forms ?? {}), [formId]: { values, errors } };
  res.redirect(303, to);
}

export function flash(req: Request, heading: string, text?: string): void {
  req.session.flash = [...(req.session.flash ?? []), { heading, text }];
}

/** A posted field as one trimmed string ('' when missing or repeated oddly). */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** A posted field that may repeat (checkboxes). */
export function fields(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/**
 * The API's 400 as form errors: each field it names mapped to the form's field id (unknown ones
 * go to the first field, so the summary still says what is wrong).
 */
export function apiFieldErrors(err: ApiError, fieldMap: Record<string, string>, fallbackField: string): FormError[] {
  const problems: FieldProblem[] = err.fieldErrors.length
    ? err.fieldErrors
    : [{ field: '', message: err.detail ?? 'The request was refused' }];
  return problems.map((p) => ({
    field: fieldMap[p.field] ?? fallbackField,
    text: sentence(p.message),
  }));
}

function sentence(message: string): string {
  const s = message.trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Day, month and year fields (GOV.UK date input) as YYYY-MM-DD, or an error message. */
export function dateFromParts(
  day: string,
  month: string,
  year: string,
  label: string,
): { value?: string; error?: string } {
  if (!day && !month && !year) return {};
  if (!day || !month || !year) return { error: `${label} must include a day, month and year` };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return { error: `${label} must be a real date` };
  }
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso)
    return { error: `${label} must be a real date` };
  return { value: iso };
}

export function isApiValidation(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 400;
}
