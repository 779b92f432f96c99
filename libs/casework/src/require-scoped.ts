import type { EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, type Action, type FieldSql, type Subject } from '@app/access';
import { namedQuery } from '@app/platform';

export interface ScopedQuery {
  action: Action;
  subject: Subject;
  /** The SQL of each condition field of the subject's rules (`columnsFrom(metadata, alias, extra)`). */
  fields: (field: string) => FieldSql | undefined;
  /** The statement, given the scope's condition: it must select at most one row, e.g. `... WHERE x.id = :id AND ${scope}`. */
  sql: (scope: string) => string;
  params: Record<string, unknown>;
  /** The error for "not there, or not yours": the same for both, so nothing leaks. */
  notFound: () => Error;
  /** Parameter prefix of the scope (to keep names apart from the statement's own). */
  prefix?: string;
}

/**
 * Loads one row under the actor's scope for (action, subject), or throws `notFound`: a row the
 * actor may not see answers exactly as one that does not exist. The one way a workflow loads
 * "this concern / referral / request, if it is mine to see".
 */
export async function requireScoped<T>(tx: EntityManager, ctx: AccessContext, q: ScopedQuery): Promise<T> {
  const scope = abilityToSql(ctx.ability, q.action, q.subject, q.fields, q.prefix ?? 'scope');
  const rows = await namedQuery<T>(tx, q.sql(scope.sql), { ...scope.params, ...q.params });
  if (rows[0] === undefined) throw q.notFound();
  return rows[0];
}
