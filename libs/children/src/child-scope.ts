import { abilityToSql, type AppAbility, type FieldSql, type SqlScope } from '@app/access';

const eqOnly = (field: string, build: (param: string) => string): FieldSql => ({
  custom: (operator, param) => {
    if (operator !== 'eq') throw new Error(`CASL to SQL: ${field} supports only equality`);
    return build(param);
  },
});

/** Child columns the policy's conditions name, and the need-to-know relations as EXISTS subqueries. */
export function childConditionSql(alias: string, nowParam: string): (field: string) => FieldSql | undefined {
  const c = alias;
  const fields: Record<string, FieldSql> = {
    id: { column: `${c}.id` },
    restricted: { column: `${c}.restricted` },
    // OFFSET 0 keeps each EXISTS a per-row index probe (ix_involvement_child). Under the OR of the
    // need-to-know rules PostgreSQL would otherwise hash every involvement of the organisation
    // (160k rows at 1M children) before looking at a single candidate (measured in bench/).
    involvedOrganisationIds: eqOnly(
      'involvedOrganisationIds',
      (p) =>
        `EXISTS (SELECT 1 FROM involvement i WHERE i.child_id = ${c}.id AND i.organisation_id = :${p} ` +
        `AND i.from_at <= :${nowParam} AND (i.until_at IS NULL OR i.until_at > :${nowParam}) OFFSET 0)`,
    ),
    caseTeamUserIds: eqOnly(
      'caseTeamUserIds',
      (p) => `EXISTS (SELECT 1 FROM case_team_member m WHERE m.child_id = ${c}.id AND m.user_id = :${p} OFFSET 0)`,
    ),
    breakGlassUserIds: eqOnly(
      'breakGlassUserIds',
      (p) =>
        `EXISTS (SELECT 1 FROM break_glass_grant g WHERE g.child_id = ${c}.id AND g.user_id = :${p} ` +
        `AND g.granted_at <= :${nowParam} AND g.expires_at > :${nowParam} OFFSET 0)`,
    ),
  };
  return (field) => fields[field];
}

/** The WHERE clause that limits child rows to those the actor may see (or act on), at `now`. */
export function childScope(ability: AppAbility, action: 'read' | 'update', alias: string, now: Date): SqlScope {
  const nowParam = `${alias}_scope_now`;
  const scope = abilityToSql(ability, action, 'Child', childConditionSql(alias, nowParam), `${alias}_acl`);
  return { sql: scope.sql, params: { ...scope.params, [nowParam]: now } };
}

/**
 * The attributes CASL decides on, loaded beside each child row with the same meaning as the SQL
 * above, so the row check and the field filter judge exactly what the WHERE clause judged.
 */
export function childDecisionColumns(alias: string, nowParam: string): string {
  const c = alias;
  return `
    ARRAY(SELECT i.organisation_id::text FROM involvement i WHERE i.child_id = ${c}.id
          AND i.from_at <= :${nowParam} AND (i.until_at IS NULL OR i.until_at > :${nowParam})) AS "involvedOrganisationIds",
    ARRAY(SELECT m.user_id::text FROM case_team_member m WHERE m.child_id = ${c}.id) AS "caseTeamUserIds",
    ARRAY(SELECT g.user_id::text FROM break_glass_grant g WHERE g.child_id = ${c}.id
          AND g.granted_at <= :${nowParam} AND g.expires_at > :${nowParam}) AS "breakGlassUserIds"`;
}

/**
 * The ways the actor's rules let them see a child, when every rule is one the name-search index
 * (child_search) can serve: an organisation's active involvement, the case team, break-glass.
 * The index then finds candidates and the full scope above still judges each one; null means a
 * rule of another shape exists (e.g. unconditional) and the search must run on the child table.
 */
export interface SearchPaths {
  organisations: { id: string; unrestrictedOnly: boolean }[];
  caseTeamUsers: string[];
  breakGlassUsers: { id: string; unrestrictedOnly: boolean }[];
}

export function searchPaths(ability: AppAbility, action: 'read' | 'update'): SearchPaths | null {
  const paths: SearchPaths = { organisations: [], caseTeamUsers: [], breakGlassUsers: [] };
  for (const rule of ability.rulesFor(action, 'Child')) {
    // An inverted rule only takes rows away, and the scope applied to every candidate has it.
    if (rule.inverted) continue;
    const conditions = rule.conditions as Record<string, unknown> | undefined;
    if (conditions === undefined) return null;
    // Other conditions beside the path only narrow it: the candidates stay a superset.
    const unrestrictedOnly = conditions.restricted === false;
    if (typeof conditions.involvedOrganisationIds === 'string') {
      paths.organisations.push({ id: conditions.involvedOrganisationIds, unrestrictedOnly });
    } else if (typeof conditions.caseTeamUserIds === 'string') {
      paths.caseTeamUsers.push(conditions.caseTeamUserIds);
    } else if (typeof conditions.breakGlassUserIds === 'string') {
      paths.breakGlassUsers.push({ id: conditions.breakGlassUserIds, unrestrictedOnly });
    } else {
      return null;
    }
  }
  return paths;
}
