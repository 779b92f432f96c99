/**
 * How the sealer and the verifier read an event: every column, in a form that round-trips exactly
 * (the time to the microsecond, in UTC; ids as text), so the same row always hashes the same.
 */
export const EVENT_COLUMNS = `e.seq::text AS seq,
  to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
  e.actor_kind, e.actor_id::text AS actor_id, e.actor_roles, e.organisation_id::text AS organisation_id,
  e.action, e.subject_type, e.subject_ids::text[] AS subject_ids, e.child_ids::text[] AS child_ids,
  e.outcome, e.break_glass, e.purpose, e.request_id, e.client_ip, e.details`;

export interface EventRow {
  seq: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string;
  actor_roles: string[];
  organisation_id: string;
  action: string;
  subject_type: string;
  subject_ids: string[];
  child_ids: string[];
  outcome: string;
  break_glass: boolean;
  purpose: string;
  request_id: string | null;
  client_ip: string | null;
  details: Record<string, unknown>;
}

/** The event as hashed: every column, nothing left out. */
export function canonicalEvent(row: EventRow): Record<string, unknown> {
  return {
    seq: row.seq,
    occurredAt: row.occurred_at,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    actorRoles: row.actor_roles,
    organisationId: row.organisation_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectIds: row.subject_ids,
    childIds: row.child_ids,
    outcome: row.outcome,
    breakGlass: row.break_glass,
    purpose: row.purpose,
    requestId: row.request_id,
    clientIp: row.client_ip,
    details: row.details,
  };
}

/** The chain versions (audit_seal.chain_version): 1 sealed in seal order before the upgrade, 2 in seq order. */
export type ChainVersion = 1 | 2;
export const CHAIN_VERSION: ChainVersion = 2;

/**
 * What a link hashes: the event, and from version 2 on the version too, so that a link cannot be
 * passed off as a version-1 one (whose order is not checked) without its hash changing.
 */
export function sealedForm(row: EventRow, version: ChainVersion): Record<string, unknown> {
  return version === 1 ? canonicalEvent(row) : { ...canonicalEvent(row), chainVersion: version };
}
