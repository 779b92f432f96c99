import { abilityToSql, type AppAbility, type FieldSql, SENSITIVITY_CLASSES, type SqlScope } from '@app/access';

const eqOnly = (field: string, build: (param: string) => string): FieldSql => ({
  custom: (operator, param) => {
    if (operator !== 'eq') throw new Error(`CASL to SQL: ${field} supports only equality`);
    return build(param);
  },
});

/** A class named by a rule, checked against the fixed list before it is written into SQL. */
const grantedClass = (field: string, build: (cls: string) => string): FieldSql => ({
  custom: (operator, _param, value) => {
    if (operator !== 'eq' || !(SENSITIVITY_CLASSES as readonly unknown[]).includes(value)) {
      throw new Error(`CASL to SQL: ${field} supports only equality with a sensitivity class`);
    }
    return build(value as string);
  },
});

/**
 * A disclosure grant (alias `g`) in force at the instant in parameter `nowParam`: not revoked,
 * begun, not ended. THE condition of a grant letting its grantee read; every query that asks it uses this.
 */
export const grantInForce = (g: string, nowParam: string): string =>
  `${g}.revoked_at IS NULL AND ${g}.from_at <= :${nowParam} AND ${g}.until_at > :${nowParam}`;

/** A break-glass grant (alias `bg`) in force at the instant in parameter `nowParam`: granted, not expired. */
export const breakGlassInForce = (bg: string, nowParam: string): string =>
  `${bg}.granted_at <= :${nowParam} AND ${bg}.expires_at > :${nowParam}`;

/** The SQL of "a live grant from `grantor` to the actor's organisation on this child names the class". */
const liveGrant = (childId: string, grantor: string | null, cls: string, orgParam: string, nowParam: string) =>
  `EXISTS (SELECT 1 FROM sharing_grant g WHERE g.child_id = ${childId} AND g.grantee_organisation_id = :${orgParam}
     ${grantor ? `AND g.grantor_organisation_id = ${grantor}` : ''} AND '${cls}' = ANY(g.classes)
     AND ${grantInForce('g', nowParam)} OFFSET 0)`;

/**
 * An involvement (alias `i`) active at the instant in parameter `nowParam`: THE condition of an
 * organisation working with a child now. Every query that asks it uses this.
 */
export const activeInvolvement = (i: string, nowParam: string): string =>
  `${i}.from_at <= :${nowParam} AND (${i}.until_at IS NULL OR ${i}.until_at > :${nowParam})`;

/**
 * Whether a viewer knows the child whose id is `childId` (SQL) at `now`: its organisation works
 * with the child, it is on the child's case team, or it holds a live break-glass grant. For rows
 * that name a child (a referral): the child's id is shown only to those who know the child.
 */
export function childKnownSql(childId: string, p: { org: string; user: string; now: string }): string {
  return `(EXISTS (SELECT 1 FROM involvement i WHERE i.child_id = ${childId} AND i.organisation_id = :${p.org}
               AND ${activeInvolvement('i', p.now)})
    OR EXISTS (SELECT 1 FROM case_team_member m WHERE m.child_id = ${childId} AND m.user_id = :${p.user})
    OR EXISTS (SELECT 1 FROM break_glass_grant g WHERE g.child_id = ${childId} AND g.user_id = :${p.user}
               AND ${breakGlassInForce('g', p.now)}))`;
}

/** The actor-relative values a child's conditions are judged with. */
export interface ScopeParams {
  /** Parameter names holding the instant and the actor's organisation. */
  now: string;
  org: string;
}

/**
 * The child relations of the policy (the three ways of knowing a child, the case team and
 * break-glass) as SQL on the child whose id is `childId`. Shared by the child itself and by the
 * parts of its record (entries, addresses, sections), which name them `child...`.
 */
function relationSql(childId: string, p: ScopeParams): Record<string, FieldSql> {
  return {
    // OFFSET 0 keeps each EXISTS a per-row index probe (ix_involvement_child). Under the OR of the
    // need-to-know rules PostgreSQL would otherwise hash every involvement of the organisation
    // (160k rows at 1M children) before looking at a single candidate (measured in bench/).
    involvedOrganisationIds: eqOnly(
      'involvedOrganisationIds',
      (q) =>
        `EXISTS (SELECT 1 FROM involvement i WHERE i.child_id = ${childId} AND i.organisation_id = :${q} ` +
        `AND ${activeInvolvement('i', p.now)} OFFSET 0)`,
    ),
    caseTeamUserIds: eqOnly(
      'caseTeamUserIds',
      (q) => `EXISTS (SELECT 1 FROM case_team_member m WHERE m.child_id = ${childId} AND m.user_id = :${q} OFFSET 0)`,
    ),
    breakGlassUserIds: eqOnly(
      'breakGlassUserIds',
      (q) =>
        `EXISTS (SELECT 1 FROM break_glass_grant bg WHERE bg.child_id = ${childId} AND bg.user_id = :${q} ` +
        `AND ${breakGlassInForce('bg', p.now)} OFFSET 0)`,
    ),
  };
}

/** Child columns the policy's conditions name, and the need-to-know relations as EXISTS subqueries. */
export function childConditionSql(alias: string, p: ScopeParams): (field: string) => FieldSql | undefined {
  const c = alias;
  const fields: Record<string, FieldSql> = {
    id: { column: `${c}.id` },
    restricted: { column: `${c}.restricted` },
    ...relationSql(`${c}.id`, p),
    // Granted: any live disclosure to the actor's organisation naming the class.
    grantedClasses: grantedClass('grantedClasses', (cls) => liveGrant(`${c}.id`, null, cls, p.org, p.now)),
    triageTeamIds: eqOnly(
      'triageTeamIds',
      (q) =>
        `EXISTS (SELECT 1 FROM triage_access t WHERE t.child_id = ${c}.id AND t.team_id = :${q} AND t.closed_at IS NULL OFFSET 0)`,
    ),
  };
  return (field) => fields[field];
}

/**
 * The conditions of a part of a child's record (a chronology entry, an address, a section): its
 * own columns, the relations of the child it belongs to (`child...`), and `grantedClasses`: the
 * classes the part's own organisation disclosed to the actor's organisation.
 */
export function partConditionSql(
  alias: string,
  columns: (field: string) => FieldSql | undefined,
  p: ScopeParams,
): (field: string) => FieldSql | undefined {
  const relations = relationSql(`${alias}.child_id`, p);
  const fields: Record<string, FieldSql> = {
    childRestricted: {
      custom: (operator, param) => {
        if (operator !== 'eq') throw new Error('CASL to SQL: childRestricted supports only equality');
        return `(SELECT rc.restricted FROM child rc WHERE rc.id = ${alias}.child_id) = :${param}`;
      },
    },
    childInvolvedOrganisationIds: relations.involvedOrganisationIds!,
    childCaseTeamUserIds: relations.caseTeamUserIds!,
    childBreakGlassUserIds: relations.breakGlassUserIds!,
    grantedClasses: grantedClass('grantedClasses', (cls) =>
      liveGrant(`${alias}.child_id`, `${alias}.organisation_id`, cls, p.org, p.now),
    ),
  };
  return (field) => (Object.hasOwn(fields, field) ? fields[field] : columns(field));
}

/**
 * `childHiddenFrom` of a row that names a child (a referral, a concern, a request): true when the
 * child is restricted and the user (`param`, SQL) is not on its case team. The policy's inverted
 * rule hides such rows everywhere; the SQL lives here, with the tables it reads.
 */
export function childHiddenSql(childId: string, param: string): string {
  return `EXISTS (SELECT 1 FROM child hc WHERE hc.id = ${childId} AND hc.restricted
            AND NOT EXISTS (SELECT 1 FROM case_team_member hm WHERE hm.child_id = hc.id AND hm.user_id = ${param}))`;
}

export const childHiddenField = (childId: string): FieldSql =>
  eqOnly('childHiddenFrom', (p) => childHiddenSql(childId, `:${p}`));

/** The same as a selected column, for the in-memory check of rows loaded under the scope. */
export const childHiddenColumn = (childId: string, viewerParam: string): string =>
  `CASE WHEN ${childHiddenSql(childId, `:${viewerParam}`)} THEN ARRAY[:${viewerParam}]::text[] ELSE '{}'::text[] END`;

/** The WHERE clause that limits child rows to those the actor may see (or act on), at `now`. */
export function childScope(
  ability: AppAbility,
  organisationId: string,
  action: 'read' | 'update',
  alias: string,
  now: Date,
  field?: string,
  prefix = `${alias}_acl`,
): SqlScope {
  const p = { now: `${alias}_scope_now`, org: `${alias}_scope_org` };
  const scope = abilityToSql(ability, action, 'Child', childConditionSql(alias, p), prefix, field);
  return { sql: scope.sql, params: { ...scope.params, [p.now]: now, [p.org]: organisationId } };
}

/**
 * The attributes CASL decides on, loaded beside each child row with the same meaning as the SQL
 * above, so the row check and the field filter judge exactly what the WHERE clause judged.
 * `grantedClasses` is relative to the organisation in `orgParam` (the actor's).
 */
export function childDecisionColumns(alias: string, nowParam: string, orgParam: string): string {
  const c = alias;
  return `
    ARRAY(SELECT i.organisation_id::text FROM involvement i WHERE i.child_id = ${c}.id
          AND ${activeInvolvement('i', nowParam)}) AS "involvedOrganisationIds",
    ARRAY(SELECT m.user_id::text FROM case_team_member m WHERE m.child_id = ${c}.id) AS "caseTeamUserIds",
    ARRAY(SELECT bg.user_id::text FROM break_glass_grant bg WHERE bg.child_id = ${c}.id
          AND ${breakGlassInForce('bg', nowParam)}) AS "breakGlassUserIds",
    ARRAY(SELECT DISTINCT gc FROM sharing_grant g, unnest(g.classes) gc WHERE g.child_id = ${c}.id
          AND g.grantee_organisation_id = :${orgParam} AND ${grantInForce('g', nowParam)}) AS "grantedClasses",
    ARRAY(SELECT t.team_id::text FROM triage_access t WHERE t.child_id = ${c}.id AND t.closed_at IS NULL) AS "triageTeamIds"`;
}

/**
 * The ways the actor's rules let them see a child, when every rule is one the name-search index
 * (child_search) can serve: an organisation's active involvement, the case team, break-glass.
 * The index then finds candidates and the full scope above still judges each one; null means a
 * rule of another shape exists (e.g. unconditional) and the search must run on the child table.
 * Only rules that show the name count (a disclosure of another class never finds a child by name).
 */
export interface SearchPaths {
  organisations: { id: string; unrestrictedOnly: boolean }[];
  caseTeamUsers: string[];
  breakGlassUsers: { id: string; unrestrictedOnly: boolean }[];
  /** A live disclosure of identity to the actor's organisation. */
  identityGrants: { unrestrictedOnly: boolean }[];
  triageTeams: { id: string; unrestrictedOnly: boolean }[];
}

/** The field a search matches on: only rules that show it may find a child. */
export const SEARCHED_FIELD = 'givenName';

export function searchPaths(ability: AppAbility, action: 'read' | 'update'): SearchPaths | null {
  const paths: SearchPaths = {
    organisations: [],
    caseTeamUsers: [],
    breakGlassUsers: [],
    identityGrants: [],
    triageTeams: [],
  };
  for (const rule of ability.rulesFor(action, 'Child', SEARCHED_FIELD)) {
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
    } else if (conditions.grantedClasses === 'identity') {
      paths.identityGrants.push({ unrestrictedOnly });
    } else if (typeof conditions.triageTeamIds === 'string') {
      paths.triageTeams.push({ id: conditions.triageTeamIds, unrestrictedOnly });
    } else {
      return null;
    }
  }
  return paths;
}
