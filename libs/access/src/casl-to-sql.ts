import type { AnyAbility } from '@casl/ability';
import { rulesToCondition } from '@casl/ability/extra';

/** The SQL a condition field maps to: a scalar or array column expression, or custom SQL. */
export type FieldSql =
  { column: string; array?: boolean } | { custom: (operator: string, param: string, value: unknown) => string };

export interface SqlScope {
  /** A boolean SQL expression with TypeORM-style named parameters (`:name`). */
  sql: string;
  params: Record<string, unknown>;
}

interface AstNode {
  operator: string;
  value: unknown;
  field?: string;
}

const COMPARISONS: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * The rules for (action, subject[, field]) as one condition tree, with CASL's priorities (a later
 * inverted rule bounds the earlier allowing ones). `field` keeps only rules that grant that field:
 * e.g. a search by name must not find a child through a rule that does not show its name.
 */
function rulesToTree(ability: AnyAbility, action: string, subjectType: string, field?: string): AstNode | null {
  const rules = ability.rulesFor(action, subjectType, field);
  return rulesToCondition(
    rules,
    (rule): AstNode => {
      const ast = (rule as { ast?: AstNode }).ast;
      if (ast === undefined) throw new Error('CASL to SQL: a rule without conditions has no AST');
      return rule.inverted ? { operator: 'not', value: [ast] } : ast;
    },
    {
      and: (value: AstNode[]): AstNode => ({ operator: 'and', value }),
      or: (value: AstNode[]): AstNode => ({ operator: 'or', value }),
      empty: (): AstNode => ({ operator: 'and', value: [] }),
    },
  );
}

/**
 * Turns the actor's CASL rules for (action, subject) into a WHERE clause, so lists and searches
 * only ever load rows the actor may see. No rules -> `1=0`; unconditional -> `1=1`. Unknown
 * fields or operators throw: a policy the translator cannot express must fail closed, never open.
 */
export function abilityToSql(
  ability: AnyAbility,
  action: string,
  subjectType: string,
  resolve: (field: string) => FieldSql | undefined,
  paramPrefix = 'acl',
  field?: string,
): SqlScope {
  const ast = rulesToTree(ability, action, subjectType, field);
  if (ast === null) return { sql: '1=0', params: {} };
  const params: Record<string, unknown> = {};
  let counter = 0;
  const param = (value: unknown): string => {
    const name = `${paramPrefix}_${counter++}`;
    params[name] = value;
    return name;
  };

  const walk = (node: AstNode): string => {
    switch (node.operator) {
      case 'and':
      case 'or': {
        const parts = (node.value as AstNode[]).map(walk);
        if (parts.length === 0) return node.operator === 'and' ? '1=1' : '1=0';
        return `(${parts.join(node.operator === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not': {
        const inner = Array.isArray(node.value) ? (node.value as AstNode[]) : [node.value as AstNode];
        // IS NOT TRUE, not NOT: a NULL inside (a nullable column) must not hide the row, as in CASL.
        return `((${inner.map(walk).join(' AND ')}) IS NOT TRUE)`;
      }
      default:
        return leaf(node);
    }
  };

  const leaf = (node: AstNode): string => {
    if (node.field === undefined) throw new Error(`CASL to SQL: operator ${node.operator} without a field`);
    const target = resolve(node.field);
    if (target === undefined) throw new Error(`CASL to SQL: no column for field "${node.field}" of ${subjectType}`);
    const value = node.value;
    if (
      (node.operator === 'eq' || node.operator === 'ne') &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      // e.g. { field: { $not: {...} } } parses as equality with an object: refuse it rather than guess.
      throw new Error(`CASL to SQL: ${node.operator} with an object value on ${node.field} is not supported`);
    }
    if ('custom' in target) return `(${target.custom(node.operator, param(value), value)})`;
    const col = target.column;
    if (target.array) {
      switch (node.operator) {
        case 'eq':
          return `(:${param(value)} = ANY(${col}))`;
        case 'in':
          return `(${col} && :${param(value)})`;
        case 'nin':
          return `((${col} && :${param(value)}) IS NOT TRUE)`;
        default:
          throw new Error(`CASL to SQL: operator ${node.operator} is not supported on array field ${node.field}`);
      }
    }
    switch (node.operator) {
      case 'eq':
        return value === null ? `(${col} IS NULL)` : `(${col} = :${param(value)})`;
      case 'ne':
        return value === null ? `(${col} IS NOT NULL)` : `(${col} IS DISTINCT FROM :${param(value)})`;
      case 'in':
      case 'nin': {
        // CASL's $in matches a null value when the list holds null; SQL's = ANY never does.
        const list = value as unknown[];
        const values = list.filter((v) => v !== null);
        const inList = list.includes(null)
          ? `(${col} IS NULL OR ${col} = ANY(:${param(values)}))`
          : `(${col} = ANY(:${param(values)}))`;
        return node.operator === 'in' ? inList : `(${inList} IS NOT TRUE)`;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        return `(${col} ${COMPARISONS[node.operator]} :${param(value)})`;
      case 'exists':
        // CASL tests key presence, and a row read from the table always has the key (maybe null).
        return value ? '1=1' : '1=0';
      default:
        throw new Error(`CASL to SQL: operator ${node.operator} is not supported`);
    }
  };

  return { sql: walk(ast), params };
}

/**
 * Resolves condition fields to columns through TypeORM metadata (`organisationId` ->
 * `"u"."organisation_id"`), so the policy names properties and the SQL names columns.
 */
export function columnsFrom(
  metadata: { findColumnWithPropertyPath(path: string): { databaseName: string; isArray: boolean } | undefined },
  alias: string,
  extra: Record<string, FieldSql> = {},
): (field: string) => FieldSql | undefined {
  return (field) => {
    if (Object.hasOwn(extra, field)) return extra[field];
    const column = metadata.findColumnWithPropertyPath(field);
    return column ? { column: `"${alias}"."${column.databaseName}"`, array: column.isArray } : undefined;
  };
}
