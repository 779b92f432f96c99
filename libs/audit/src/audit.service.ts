import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import { AUDIT_OUTCOMES, type AuditActorKind, type AuditOutcome } from './audit-event.entity';

/** What happened, for the record. `details` carries field names, counts, grant ids: never child data. */
export interface AuditEntry {
  /** Recorded: kind, id, organisationId and roles. */
  actor: Actor;
  /** e.g. `child.read`, `child.search`, `section.update`, `break_glass.open` (60 characters at most). */
  action: string;
  /** e.g. `child`, `section`, `chronology_entry` (40 characters at most). */
  subjectType: string;
  /** Every record touched, including each one a list or search returned. */
  subjectIds: string[];
  /** The children touched; for a search, every child id it returned. */
  childIds: string[];
  outcome: AuditOutcome;
  /** The purpose of use the actor gave (60 characters at most). */
  purpose: string;
  requestId?: string | null;
  clientIp?: string | null;
  breakGlass?: boolean;
  details?: Record<string, unknown>;
  at: Date;
}

/**
 * SQL expressions to use instead of some of the entry's values, so one statement can record what
 * its own read found, e.g. `(SELECT coalesce(array_agg(id), '{}') FROM found)` for the ids, where
 * `found` is a CTE before the insert. They are cast to the column's type.
 */
export interface AuditInsertExpressions {
  /** uuid[] */
  subjectIdsSql?: string;
  /** uuid[] */
  childIdsSql?: string;
  /** one of AUDIT_OUTCOMES, e.g. `CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'allowed' ELSE 'not_found' END` */
  outcomeSql?: string;
  /** boolean */
  breakGlassSql?: string;
  /** text: the purpose of use (e.g. `referral_triage` when the read was triage) */
  purposeSql?: string;
  /** jsonb */
  detailsSql?: string;
}

export interface AccessLogEntry {
  seq: string;
  at: Date;
  action: string;
  outcome: AuditOutcome;
  purpose: string;
  breakGlass: boolean;
  actor: { kind: AuditActorKind; id: string; name: string | null };
  organisation: { id: string; name: string | null; type: string | null };
  requestId: string | null;
  /** What was touched (e.g. ChildSection) and, for reads under a disclosure, the classes granted. */
  subjectType: string;
  underGrant: string[] | null;
  /** The organisations whose disclosures the read was made under. */
  underGrantFrom: string[] | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Request headers can be long; the record never fails the caller's transaction over one. */
const clip = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : value.slice(0, 64);

function checked(entry: AuditEntry): AuditEntry {
  const problems: string[] = [];
  if (!entry.action || entry.action.length > 60) problems.push('action must be 1 to 60 characters');
  if (!entry.subjectType || entry.subjectType.length > 40) problems.push('subjectType must be 1 to 40 characters');
  if (!entry.purpose || entry.purpose.length > 60) problems.push('purpose must be 1 to 60 characters');
  if (!AUDIT_OUTCOMES.includes(entry.outcome)) problems.push(`outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  if (!(entry.at instanceof Date) || Number.isNaN(entry.at.getTime())) problems.push('at must be a valid Date');
  // A programming error, not a client's: fail loudly rather than write a wrong record.
  if (problems.length > 0) throw new TypeError(`Invalid audit entry: ${problems.join('; ')}`);
  return entry;
}

const INSERT_COLUMNS = [
  'occurred_at',
  'actor_kind',
  'actor_id',
  'actor_roles',
  'organisation_id',
  'action',
  'subject_type',
  'subject_ids',
  'child_ids',
  'outcome',
  'break_glass',
  'purpose',
  'request_id',
  'client_ip',
  'details',
] as const;

const CASTS: Record<(typeof INSERT_COLUMNS)[number], string> = {
  occurred_at: 'timestamptz',
  actor_kind: 'varchar',
  actor_id: 'uuid',
  actor_roles: 'text[]',
  organisation_id: 'uuid',
  action: 'varchar',
  subject_type: 'varchar',
  subject_ids: 'uuid[]',
  child_ids: 'uuid[]',
  outcome: 'varchar',
  break_glass: 'boolean',
  purpose: 'varchar',
  request_id: 'varchar',
  client_ip: 'varchar',
  details: 'jsonb',
};

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Writes one event in the caller's transaction: it commits or rolls back with the work it records. */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const { sql, params } = this.insertSql(entry);
    await namedQuery(manager, sql, params);
  }

  /**
   * The same insert as a statement fragment with named parameters (`:audit_action`, ...), for a
   * caller to put in a CTE beside its own read (one statement, one round trip):
   *
   *   const audit = auditService.insertSql(entry);
   *   namedQuery(tx, `WITH audit AS (${audit.sql}) SELECT ... FROM child WHERE id = :id`, { id, ...audit.params });
   *
   * `expressions` replaces some values with SQL (see AuditInsertExpressions); `prefix` names the
   * parameters, so that two inserts can share a statement.
   */
  insertSql(
    entry: AuditEntry,
    options: { prefix?: string; expressions?: AuditInsertExpressions } = {},
  ): { sql: string; params: Record<string, unknown> } {
    const prefix = options.prefix ?? 'audit';
    if (!/^[a-z][a-z0-9_]*$/.test(prefix)) throw new TypeError('prefix must be a lower-case SQL identifier');
    const e = checked(entry);
    const values: Record<(typeof INSERT_COLUMNS)[number], unknown> = {
      occurred_at: e.at,
      actor_kind: e.actor.kind,
      actor_id: e.actor.id,
      actor_roles: e.actor.roles,
      organisation_id: e.actor.organisationId,
      action: e.action,
      subject_type: e.subjectType,
      subject_ids: e.subjectIds,
      child_ids: e.childIds,
      outcome: e.outcome,
      break_glass: e.breakGlass ?? false,
      purpose: e.purpose,
      request_id: clip(e.requestId),
      client_ip: clip(e.clientIp),
      details: JSON.stringify(e.details ?? {}),
    };
    const x = options.expressions ?? {};
    const expressions: Partial<Record<(typeof INSERT_COLUMNS)[number], string>> = {
      subject_ids: x.subjectIdsSql,
      child_ids: x.childIdsSql,
      outcome: x.outcomeSql,
      break_glass: x.breakGlassSql,
      purpose: x.purposeSql,
      details: x.detailsSql,
    };
    const params: Record<string, unknown> = {};
    const placeholders = INSERT_COLUMNS.map((column) => {
      const expression = expressions[column];
      if (expression !== undefined) return `CAST((${expression}) AS ${CASTS[column]})`;
      params[`${prefix}_${column}`] = values[column];
      return `CAST(:${prefix}_${column} AS ${CASTS[column]})`;
    });
    return {
      sql: `INSERT INTO audit_event (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders.join(', ')})`,
      params,
    };
  }

  /**
   * A child's access log, newest first: who looked or changed what, when, why, from which
   * organisation. Found through the GIN index on child_ids; names joined in the same query.
   * Pass the caller's `manager` to read inside its transaction (e.g. after recording the read).
   */
  async accessLog(
    childId: string,
    limit: number,
    cursor?: string,
    manager: EntityManager = this.db.manager,
    options: { onlyOwnFailures?: string } = {},
  ): Promise<Page<AccessLogEntry>> {
    if (!UUID.test(childId)) throw DomainError.notFound('Child');
    const take = Math.min(Math.max(Math.trunc(limit) || 1, 1), 200);
    const before = decodeCursor(cursor, ['bigint'])?.[0];
    const params: unknown[] = [childId, take + 1];
    if (before !== undefined) params.push(before);
    // Another organisation's failed look-ups are its own business (and would tip off): shown only to
    // readers entitled to every access (onlyOwnFailures unset).
    let failures = '';
    if (options.onlyOwnFailures !== undefined) {
      params.push(options.onlyOwnFailures);
      failures = ` AND (e.outcome = 'allowed' OR e.organisation_id = $${params.length}::uuid)`;
    }
    const rows = await manager.query<AccessLogRow[]>(
      `SELECT e.seq::text AS seq, e.occurred_at, e.action, e.outcome, e.purpose, e.break_glass,
              e.actor_kind, e.actor_id, coalesce(u.name, c.name) AS actor_name,
              e.organisation_id, o.name AS organisation_name, o.type AS organisation_type, e.request_id, e.subject_type,
              CASE WHEN jsonb_typeof(e.details -> 'underGrant') = 'array'
                   THEN ARRAY(SELECT jsonb_array_elements_text(e.details -> 'underGrant')) END AS under_grant,
              CASE WHEN jsonb_typeof(e.details -> 'grantors') = 'array'
                   THEN ARRAY(SELECT jsonb_array_elements_text(e.details -> 'grantors')) END AS under_grant_from
         FROM audit_event e
         LEFT JOIN app_user u ON e.actor_kind = 'user' AND u.id = e.actor_id
         LEFT JOIN api_client c ON e.actor_kind = 'client' AND c.id = e.actor_id
         LEFT JOIN organisation o ON o.id = e.organisation_id
        WHERE e.child_ids @> ARRAY[$1]::uuid[]${before !== undefined ? ' AND e.seq < $3::bigint' : ''}${failures}
        ORDER BY e.seq DESC
        LIMIT $2`,
      params,
    );
    return toPage(rows.map(toAccessLogEntry), take, (entry) => [entry.seq]);
  }
}

interface AccessLogRow {
  seq: string;
  occurred_at: Date;
  action: string;
  outcome: AuditOutcome;
  purpose: string;
  break_glass: boolean;
  actor_kind: AuditActorKind;
  actor_id: string;
  actor_name: string | null;
  organisation_id: string;
  organisation_name: string | null;
  organisation_type: string | null;
  request_id: string | null;
  subject_type: string;
  under_grant: string[] | null;
  under_grant_from: string[] | null;
}

function toAccessLogEntry(row: AccessLogRow): AccessLogEntry {
  return {
    seq: row.seq,
    at: row.occurred_at,
    action: row.action,
    outcome: row.outcome,
    purpose: row.purpose,
    breakGlass: row.break_glass,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    organisation: { id: row.organisation_id, name: row.organisation_name, type: row.organisation_type },
    requestId: row.request_id,
    subjectType: row.subject_type,
    underGrant: row.under_grant,
    underGrantFrom: row.under_grant_from,
  };
}
