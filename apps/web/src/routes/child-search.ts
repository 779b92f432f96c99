import type { Request } from 'express';
import { type Api, must, type Schemas } from '../api/api-client';
import { dateFromParts, field, type FormError } from '../http/forms';
import type { ChildSearch } from '../http/session';

export interface ChildResult {
  id: string;
  name: string;
  preferredName: string | null;
  dateOfBirth: string | null;
  identifiers: { label: string; value: string }[];
  /** How it matched: fuzzy name matches are labelled as such. */
  match: 'Exact name' | 'Similar name' | 'Identifier' | 'Date of birth';
  restricted: boolean;
}

/** Letters only, no accents, lower case: how a name is compared to decide "exact" or "similar". */
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s'-]/g, ' ');
}

function words(s: string): string[] {
  return fold(s)
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/** Every word typed is one of the child's names exactly (accents and case aside): an exact match. */
export function nameMatch(query: string, child: Schemas['ChildDto']): 'Exact name' | 'Similar name' {
  const names = new Set(
    [child.givenName, child.familyName, child.preferredName, ...(child.previousNames ?? [])]
      .filter((n): n is string => typeof n === 'string')
      .flatMap(words),
  );
  return words(query).every((w) => names.has(w)) ? 'Exact name' : 'Similar name';
}

/** The search fields of a posted form, checked; the search is kept in the session, never in a URL. */
export function searchFromForm(
  body: unknown,
  purpose: ChildSearch['purpose'],
): { search?: ChildSearch; errors: FormError[]; values: Record<string, string> } {
  const values = {
    name: field(body, 'name'),
    identifier: field(body, 'identifier'),
    'dateOfBirth-day': field(body, 'dateOfBirth-day'),
    'dateOfBirth-month': field(body, 'dateOfBirth-month'),
    'dateOfBirth-year': field(body, 'dateOfBirth-year'),
  };
  const errors: FormError[] = [];
  const dob = dateFromParts(
    values['dateOfBirth-day'],
    values['dateOfBirth-month'],
    values['dateOfBirth-year'],
    'Date of birth',
  );
  if (dob.error) errors.push({ field: 'dateOfBirth-day', text: dob.error });
  if (values.name && values.name.length < 2) errors.push({ field: 'name', text: 'Name must be 2 characters or more' });
  if (values.name.length > 100) errors.push({ field: 'name', text: 'Name must be 100 characters or fewer' });
  if (values.identifier.length > 50) {
    errors.push({ field: 'identifier', text: 'Identifier must be 50 characters or fewer' });
  }
  if (!values.name && !values.identifier && !dob.value && !dob.error) {
    errors.push({ field: 'name', text: 'Enter a name, an identifier or a date of birth' });
  }
  if (errors.length) return { errors, values };
  return {
    search: { name: values.name, identifier: values.identifier, dateOfBirth: dob.value ?? '', purpose },
    errors,
    values,
  };
}

export function searchValues(search: ChildSearch | undefined): Record<string, string> {
  if (!search) return {};
  const [y, m, d] = search.dateOfBirth ? search.dateOfBirth.split('-') : ['', '', ''];
  return {
    name: search.name,
    identifier: search.identifier,
    'dateOfBirth-day': d ? String(Number(d)) : '',
    'dateOfBirth-month': m ? String(Number(m)) : '',
    'dateOfBirth-year': y ?? '',
  };
}

/** The children the API lets this person see that match; the API records each on its access log. */
export async function findChildren(api: Api, search: ChildSearch): Promise<ChildResult[]> {
  const query: { q?: string; identifier?: string; dateOfBirth?: string; limit: number } = { limit: 25 };
  if (search.name) query.q = search.name;
  if (search.identifier) query.identifier = search.identifier;
  if (search.dateOfBirth) query.dateOfBirth = search.dateOfBirth;
  const page = must(await api.GET('/api/v1/children', { params: { query } }));
  return page.data.map((c) => ({
    id: c.id,
    name: [c.givenName, c.familyName].filter(Boolean).join(' ') || 'Name not shown',
    preferredName: c.preferredName ?? null,
    dateOfBirth: c.dateOfBirth ?? null,
    identifiers: [
      ['NHS number', c.nhsNumber],
      ['UPN', c.upn],
      ['PNC ID', c.pncId],
      ['LA child ID', c.laChildId],
    ]
      .filter((p): p is [string, string] => typeof p[1] === 'string' && p[1] !== '')
      .map(([label, value]) => ({ label, value })),
    match: search.name ? nameMatch(search.name, c) : search.identifier ? 'Identifier' : 'Date of birth',
    restricted: c.restricted,
  }));
}

export function currentSearch(req: Request, purpose: ChildSearch['purpose']): ChildSearch | undefined {
  const s = req.session.childSearch;
  return s && s.purpose === purpose ? s : undefined;
}
