import type { AnyAbility } from '@casl/ability';
import { rulesToAST } from '@casl/ability/extra';

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
): SqlScope {
  const ast = rulesToAST(ability, action, subjectType) as AstNode | null;
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
        return `NOT (${inner.map(walk).join(' AND ')})`;
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
    if ('custom' in target) return `(${target.custom(node.operator, param(value), value)})`;
    const col = target.column;
    if (target.array) {
      switch (node.operator) {
        case 'eq':
          return `(:${param(value)} = ANY(${col}))`;
        case 'in':
          return `(${col} && :${param(value)})`;
        case 'nin':
          return `NOT (${col} && :${param(value)})`;
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
        return `(${col} = ANY(:${param(value)}))`;
      case 'nin':
        return `NOT (${col} = ANY(:${param(value)}))`;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        return `(${col} ${COMPARISONS[node.operator]} :${param(value)})`;
      case 'exists':
        return value ? `(${col} IS NOT NULL)` : `(${col} IS NULL)`;
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
    if (extra[field]) return extra[field];
    const column = metadata.findColumnWithPropertyPath(field);
    return column ? { column: `"${alias}"."${column.databaseName}"`, array: column.isArray } : undefined;
  };
}
