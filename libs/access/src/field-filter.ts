import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { AppAbility } from './ability.factory';
import { allFieldsOf, type ClassifiedSubject } from './classification';
import type { Action } from './policy';

/** The fields of this record the actor may act on: rules without a field list grant every classified field. */
export function permittedFields(
  ability: AppAbility,
  action: Action,
  subjectType: ClassifiedSubject,
  record: object,
): string[] {
  return permittedFieldsOf(ability, action, asSubject(subjectType, { ...record }), {
    fieldsFrom: (rule) => rule.fields ?? allFieldsOf(subjectType),
  });
}

/**
 * Keeps only the classified fields the actor may read; everything else (including internal
 * attributes used for decisions) is dropped. Used on every response carrying child data.
 */
export function filterFields<T extends Record<string, unknown>>(
  ability: AppAbility,
  subjectType: ClassifiedSubject,
  record: T,
): Partial<T> {
  const allowed = new Set(permittedFields(ability, 'read', subjectType, record));
  const out: Partial<T> = {};
  for (const field of allFieldsOf(subjectType)) {
    if (allowed.has(field) && field in record) (out as Record<string, unknown>)[field] = record[field];
  }
  return out;
}

export function can(ability: AppAbility, action: Action, subjectType: string, record: object): boolean {
  return ability.can(action, asSubject(subjectType as never, { ...record }) as never);
}
