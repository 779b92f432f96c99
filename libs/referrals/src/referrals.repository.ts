import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, columnsFrom, withholdPoliceText } from '@app/access';
import { requireScoped } from '@app/casework';
import { childHiddenColumn, childHiddenField, childKnownSql } from '@app/children';
import { decodeCursor, namedQuery, type Page, toPage } from '@app/platform';
import {
  Concern,
  type CsOutcome,
  type Rag,
  Referral,
  ReferralConcern,
  type ReferralStatus,
  ReferralTransition,
} from './referral.entity';
import { CHILD_ID, type ConcernRow, presentReferral, type ReferralRow, type ReferralView } from './referral-view';
import type { ConcernInboxQuery, ReferralDto, ReferralListQuery } from './referrals.dto';
import { ReferralError } from './referrals.errors';
import { LEAD_TEAM_FUNCTION } from './referrals.rules';

const REFERRAL_COLUMNS = `
  r.id, r.status, r.child_id AS "childId", r.reason, r.rag, r.immediate_danger AS "immediateDanger",
  r.consent_obtained AS "consentObtained", r.no_consent_reason AS "noConsentReason", r.lawful_basis AS "lawfulBasis",
  r.decline_reason AS "declineReason", r.triage_rag AS "triageRag", r.outcome, r.outcome_reason AS "outcomeReason",
  r.decided_at AS "decidedAt", r.due_at AS "dueAt", r.version, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
  r.urgency, r.from_organisation_id AS "fromOrganisationId", r.to_organisation_id AS "toOrganisationId",
  r.to_team_id AS "toTeamId", r.from_actor_id AS "fromActorId", tor.type AS "toOrganisationType",
  fo.type AS "fromOrganisationType",
  ${childHiddenColumn('r.child_id', 'viewerId')} AS "childHiddenFrom",
  json_build_object('id', fo.id, 'name', fo.name) AS "from",
  json_build_object('id', tor.id, 'name', tor.name) AS "to",
  json_build_object('id', tt.id, 'name', tt.name) AS "toTeam",
  json_build_object('givenName', r.subject_given_name, 'familyName', r.subject_family_name,
    'dateOfBirth', to_char(r.subject_date_of_birth, 'YYYY-MM-DD'), 'approximateAge', r.subject_approximate_age,
    'address', r.subject_address, 'school', r.subject_school) AS subject,
  (r.due_at IS NOT NULL AND r.due_at < :now AND r.status IN ('SUBMITTED', 'ACKNOWLEDGED')) AS overdue,
  (r.to_organisation_id = :viewerOrg
    OR ${childKnownSql('r.child_id', { org: 'viewerOrg', user: 'viewerId', now: 'now' })}) AS "childKnown"`;

const REFERRAL_FROM = `referral r
  JOIN organisation fo ON fo.id = r.from_organisation_id
  JOIN organisation tor ON tor.id = r.to_organisation_id
  JOIN team tt ON tt.id = r.to_team_id`;

const CONCERN_COLUMNS = `
  c.id, c.organisation_id AS "organisationId", c.reporter_id AS "reporterId", c.child_id AS "childId",
  json_build_object('givenName', c.subject_given_name, 'familyName', c.subject_family_name,
    'dateOfBirth', to_char(c.subject_date_of_birth, 'YYYY-MM-DD'), 'approximateAge', c.subject_approximate_age,
    'address', c.subject_address, 'school', c.subject_school) AS subject,
  c.category, c.what_was_seen AS "whatWasSeen", c.childs_words AS "childsWords", c.occurred_at AS "occurredAt",
  c.immediate_danger AS "immediateDanger", c.status, c.decision_reason AS "decisionReason", c.decided_at AS "decidedAt",
  c.due_at AS "dueAt", c.urgency, c.created_at AS "createdAt",
  (c.status = 'OPEN' AND c.due_at < :now) AS overdue,
  ${childHiddenColumn('c.child_id', 'viewerId')} AS "childHiddenFrom"`;

/** Condition fields of referrals and concerns: their columns, and whether they name a hidden child. */
const referralFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(Referral).metadata, 'r', { childHiddenFrom: childHiddenField('r.child_id') });
const concernFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(Concern).metadata, 'c', { childHiddenFrom: childHiddenField('c.child_id') });

/** The team a referral is sent to, with its organisation (never the sender's own). */
export interface ReceivingTeam {
  id: string;
  organisation_id: string;
  type: string;
  name: string;
  org_name: string;
}

/** A concern as its organisation's safeguarding lead keeps it on file. */
export interface ConcernRecord {
  id: string;
  category: string;
  whatWasSeen: string;
  childsWords: string | null;
  occurredAt: string;
  immediateDanger: boolean;
  status: string;
  decisionReason: string | null;
  decidedAt: string | null;
}

/**
 * The SQL of concerns and referrals. Every method runs in the caller's transaction; reads that a
 * caller may be refused are scoped by the policy in SQL, and a record out of scope is "not found".
 */
@Injectable()
export class ReferralsRepository {
  // ---------- concerns ----------

  /** The concern under the caller's scope for `action`, or 404; locked for a change when asked. */
  requireConcern(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read' | 'update',
    now: Date,
    lock = false,
  ): Promise<ConcernRow> {
    return requireScoped<ConcernRow>(tx, ctx, {
      action,
      subject: 'Concern',
      fields: concernFields(tx),
      prefix: 'cn',
      sql: (scope) =>
        `SELECT ${CONCERN_COLUMNS} FROM concern c WHERE c.id = :id AND ${scope} ${lock ? 'FOR UPDATE' : ''}`,
      params: { id, now, viewerId: ctx.actor.id },
      notFound: ReferralError.concernNotFound,
    });
  }

  /** The kind of an organisation (the directory), for what its text may be read as. */
  async organisationTypeOf(tx: EntityManager, organisationId: string): Promise<string> {
    const rows = await namedQuery<{ type: string }>(tx, 'SELECT type FROM organisation WHERE id = :organisationId', {
      organisationId,
    });
    return rows[0]?.type ?? '';
  }

  insertConcern(tx: EntityManager, values: Partial<Concern>): Promise<Concern> {
    return tx.getRepository(Concern).save(tx.getRepository(Concern).create(values));
  }

  /** An organisation's own concerns about one child, oldest first, with its lead's decisions (a school's file). */
  async organisationConcernsOn(tx: EntityManager, organisationId: string, childId: string): Promise<ConcernRecord[]> {
    return namedQuery<ConcernRecord>(
      tx,
      `SELECT id, category, what_was_seen AS "whatWasSeen", childs_words AS "childsWords", occurred_at AS "occurredAt",
              immediate_danger AS "immediateDanger", status, decision_reason AS "decisionReason", decided_at AS "decidedAt"
         FROM concern WHERE organisation_id = :org AND child_id = :childId ORDER BY occurred_at, id`,
      { org: organisationId, childId },
    );
  }

  async recordConcernDecision(
    tx: EntityManager,
    id: string,
    decision: Pick<Concern, 'status' | 'decisionReason' | 'decidedBy' | 'decidedAt'>,
  ): Promise<void> {
    await tx.getRepository(Concern).update({ id }, decision);
  }

  /** A page of the organisation's concerns the caller may decide, most urgent first. */
  async concernInboxPage(
    tx: EntityManager,
    ctx: AccessContext,
    q: ConcernInboxQuery,
    now: Date,
  ): Promise<Page<ConcernRow>> {
    const limit = q.limit ?? 50;
    const scope = abilityToSql(ctx.ability, 'update', 'Concern', concernFields(tx), 'cn');
    const where = [scope.sql, 'c.organisation_id = :org'];
    const params: Record<string, unknown> = {
      ...scope.params,
      org: ctx.actor.organisationId,
      viewerId: ctx.actor.id,
      now,
      limit: limit + 1,
    };
    where.push(q.status ? 'c.status = :status' : `c.status IN ('OPEN', 'MONITOR')`);
    if (q.status) params.status = q.status;
    if (q.overdue === 'true') where.push(`c.status = 'OPEN' AND c.due_at < :now`);
    if (q.overdue === 'false') where.push(`NOT (c.status = 'OPEN' AND c.due_at < :now)`);
    const after = decodeCursor(q.cursor, ['integer', 'timestamp', 'uuid']);
    if (after) {
      Object.assign(params, { cu: after[0], cd: new Date(after[1]), ci: after[2] });
      where.push('(c.urgency, c.due_at, c.id) > (:cu, :cd, :ci)');
    }
    const rows = await namedQuery<ConcernRow>(
      tx,
      `SELECT ${CONCERN_COLUMNS} FROM concern c WHERE ${where.join(' AND ')}
          ORDER BY c.urgency, c.due_at, c.id LIMIT :limit`,
      params,
    );
    return toPage(rows, limit, (r) => [r.urgency, new Date(r.dueAt).toISOString(), r.id]);
  }

  /** Locks the open concerns among `ids` the caller may decide; answers the ids it found. */
  async lockOpenConcerns(tx: EntityManager, ctx: AccessContext, ids: string[]): Promise<string[]> {
    const scope = abilityToSql(ctx.ability, 'update', 'Concern', concernFields(tx), 'cn');
    const found = await namedQuery<{ id: string }>(
      tx,
      `SELECT c.id FROM concern c WHERE c.id = ANY(:ids) AND c.status IN ('OPEN', 'MONITOR') AND ${scope.sql} FOR UPDATE`,
      { ...scope.params, ids },
    );
    return found.map((c) => c.id);
  }

  /** Concerns referred on: decided by the referral, and about its child when they named none. */
  async markConcernsReferred(
    tx: EntityManager,
    ids: string[],
    by: { actorId: string; at: Date; childId: string | null },
  ): Promise<void> {
    await namedQuery(
      tx,
      `UPDATE concern SET status = 'REFERRED', decided_by = :me, decided_at = :now, version = version + 1,
                  child_id = coalesce(child_id, :childId) WHERE id = ANY(:ids)`,
      { me: by.actorId, now: by.at, ids, childId: by.childId },
    );
  }

  // ---------- referrals ----------

  /** The referral under the caller's read scope, or 404. */
  requireReferral(tx: EntityManager, ctx: AccessContext, id: string, now: Date): Promise<ReferralRow> {
    return this.loadReferral(tx, ctx, id, now, false);
  }

  /** The referral under the caller's read scope, or 404, locked until the change commits. */
  lockForTransition(tx: EntityManager, ctx: AccessContext, id: string, now: Date): Promise<ReferralRow> {
    return this.loadReferral(tx, ctx, id, now, true);
  }

  private loadReferral(tx: EntityManager, ctx: AccessContext, id: string, now: Date, lock: boolean) {
    return requireScoped<ReferralRow>(tx, ctx, {
      action: 'read',
      subject: 'Referral',
      fields: referralFields(tx),
      prefix: 'rf',
      sql: (scope) =>
        `SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM} WHERE r.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF r' : ''}`,
      params: { id, now, viewerOrg: ctx.actor.organisationId, viewerId: ctx.actor.id },
      notFound: ReferralError.notFound,
    });
  }

  /** The referral with its history, as its viewer may see it (or 404). */
  async view(tx: EntityManager, ctx: AccessContext, id: string, now: Date): Promise<ReferralView> {
    const row = await this.requireReferral(tx, ctx, id, now);
    const transitions = await namedQuery(
      tx,
      `SELECT from_status AS "fromStatus", to_status AS "toStatus", organisation_id AS "organisationId", reason, at
         FROM referral_transition WHERE referral_id = :id ORDER BY at, id`,
      { id },
    );
    const shown = presentReferral(row);
    const parties = [row.fromOrganisationId, row.toOrganisationId];
    const withheld = withholdPoliceText(shown, ctx.actor.organisationId, parties, [
      { organisationType: row.fromOrganisationType, fields: ['reason'] },
      { organisationType: row.toOrganisationType, fields: ['declineReason', 'outcomeReason'] },
    ]);
    const typeOf = new Map([
      [row.fromOrganisationId, row.fromOrganisationType],
      [row.toOrganisationId, row.toOrganisationType],
    ]);
    for (const step of transitions as { organisationId: string; reason: string | null }[]) {
      const hidden = withholdPoliceText(step, ctx.actor.organisationId, parties, [
        { organisationType: typeOf.get(step.organisationId) ?? '', fields: ['reason'] },
      ]);
      if (hidden.length && !withheld.includes('transitions.reason')) withheld.push('transitions.reason');
    }
    const view = { ...shown, withheld, transitions: transitions as unknown as ReferralDto['transitions'] };
    // The stored child id, for the audit record only: a symbol key never reaches the JSON.
    return Object.assign(view, { [CHILD_ID]: row.childId });
  }

  /** The team a referral goes to, with its organisation; never one of the sender's own. */
  async receivingTeam(tx: EntityManager, teamId: string, senderOrganisationId: string): Promise<ReceivingTeam | null> {
    const rows = await namedQuery<ReceivingTeam>(
      tx,
      `SELECT t.id, t.organisation_id, o.type, t.name, o.name AS org_name FROM team t JOIN organisation o ON o.id = t.organisation_id
            WHERE t.id = :id AND t.organisation_id <> :me`,
      { id: teamId, me: senderOrganisationId },
    );
    return rows[0] ?? null;
  }

  insertReferral(tx: EntityManager, values: Partial<Referral>): Promise<Referral> {
    return tx.getRepository(Referral).save(tx.getRepository(Referral).create(values));
  }

  async linkConcerns(tx: EntityManager, referralId: string, concernIds: string[]): Promise<void> {
    await tx.getRepository(ReferralConcern).insert(concernIds.map((concernId) => ({ referralId, concernId })));
  }

  /** A row of the referral's history: who moved it from what to what, when and why. */
  async recordTransition(
    tx: EntityManager,
    step: {
      referralId: string;
      fromStatus: ReferralStatus | null;
      toStatus: ReferralStatus;
      actorId: string;
      organisationId: string;
      reason: string | null;
      at: Date;
    },
  ): Promise<void> {
    await tx.getRepository(ReferralTransition).insert(step);
  }

  async setStatus(
    tx: EntityManager,
    id: string,
    change: Pick<Referral, 'status' | 'childId'> & Partial<Pick<Referral, 'declineReason' | 'dueAt'>>,
  ): Promise<void> {
    await tx.getRepository(Referral).update({ id }, change);
  }

  async setTriage(
    tx: EntityManager,
    id: string,
    triage: { triageRag: Rag; triagedAt: Date; urgency: number; dueAt: Date },
  ): Promise<void> {
    await tx.getRepository(Referral).update({ id }, triage);
  }

  async setOutcome(
    tx: EntityManager,
    id: string,
    decision: { outcome: CsOutcome; outcomeReason: string; decidedAt: Date },
  ): Promise<void> {
    await tx.getRepository(Referral).update({ id }, decision);
  }

  /** A page of the referrals received by (inbox) or sent from (sent) the caller's organisation. */
  async listPage(
    tx: EntityManager,
    ctx: AccessContext,
    q: ReferralListQuery,
    box: 'inbox' | 'sent',
    now: Date,
  ): Promise<Page<ReferralRow>> {
    const limit = q.limit ?? 50;
    const scope = abilityToSql(ctx.ability, 'read', 'Referral', referralFields(tx), 'rf');
    const params: Record<string, unknown> = {
      ...scope.params,
      org: ctx.actor.organisationId,
      viewerOrg: ctx.actor.organisationId,
      viewerId: ctx.actor.id,
      now,
      limit: limit + 1,
    };
    const where = [scope.sql, box === 'inbox' ? 'r.to_organisation_id = :org' : 'r.from_organisation_id = :org'];
    if (box === 'inbox' && q.scope !== 'organisation' && ctx.actor.teamId) {
      where.push('r.to_team_id = :team');
      params.team = ctx.actor.teamId;
    }
    if (q.status) {
      where.push('r.status = :status');
      params.status = q.status;
    } else if (box === 'inbox') {
      where.push(`r.status IN ('SUBMITTED', 'ACKNOWLEDGED')`);
    }
    if (q.rag) {
      where.push('coalesce(r.triage_rag, r.rag) = :rag');
      params.rag = q.rag;
    }
    const openOnly = box === 'inbox' && !q.status;
    // When the list is already the open inbox, repeating the status test only misleads the planner.
    if (q.overdue === 'true')
      where.push(openOnly ? 'r.due_at < :now' : `r.status IN ('SUBMITTED', 'ACKNOWLEDGED') AND r.due_at < :now`);
    if (q.overdue === 'false') {
      where.push(
        openOnly ? 'NOT (r.due_at < :now)' : `NOT (r.status IN ('SUBMITTED', 'ACKNOWLEDGED') AND r.due_at < :now)`,
      );
    }
    let order: string;
    let cursorOf: (r: ReferralRow) => unknown[];
    if (box === 'inbox') {
      order = 'r.urgency, r.due_at, r.id';
      cursorOf = (r) => [r.urgency, r.dueAt ? new Date(r.dueAt).toISOString() : null, r.id];
      const after = decodeCursor(q.cursor, ['integer', 'timestamp?', 'uuid']);
      if (after) {
        // A null due date becomes the epoch, as before cursors were checked (see the report on #10).
        Object.assign(params, { cu: after[0], cd: new Date(after[1] ?? 0), ci: after[2] });
        where.push('(r.urgency, r.due_at, r.id) > (:cu, :cd, :ci)');
      }
    } else {
      order = 'r.created_at DESC, r.id DESC';
      cursorOf = (r) => [new Date(r.createdAt).toISOString(), r.id];
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
        where.push('(r.created_at, r.id) < (:cc, :ci)');
      }
    }
    // Choose the page on the bare rows first, then build the JSON for those rows only.
    const rows = await namedQuery<ReferralRow>(
      tx,
      `SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM}
          WHERE r.id IN (SELECT r.id FROM referral r WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT :limit)
          ORDER BY ${order}`,
      params,
    );
    return toPage(rows, limit, cursorOf);
  }

  // ---------- identity's directory (read only) ----------

  /** The team of the organisation that triages its own staff's concerns (DSL, MASH, ...). */
  async leadTeamOf(tx: EntityManager, organisationId: string, type: string): Promise<string | null> {
    const rows = await namedQuery<{ id: string }>(
      tx,
      'SELECT id FROM team WHERE organisation_id = :org AND function = :fn ORDER BY name LIMIT 1',
      { org: organisationId, fn: LEAD_TEAM_FUNCTION[type] ?? '' },
    );
    return rows[0]?.id ?? null;
  }

  /** Users among these who belong to the organisation (e.g. the case team members a notice may go to). */
  async activeUsersAmong(tx: EntityManager, userIds: string[], organisationId: string): Promise<string[]> {
    if (!userIds.length) return [];
    const rows = await namedQuery<{ id: string }>(
      tx,
      'SELECT id FROM app_user WHERE id = ANY(:ids) AND organisation_id = :org AND active',
      { ids: userIds, org: organisationId },
    );
    return rows.map((r) => r.id);
  }

  /** Whether the id is an active person's (a referral may also come from a partner system). */
  async isActiveUser(tx: EntityManager, id: string): Promise<boolean> {
    return (await namedQuery(tx, 'SELECT 1 FROM app_user WHERE id = :id AND active', { id })).length > 0;
  }
}

/** A contact the council received: one referral to it, as Ofsted's Annex A list 1 counts them. */
export interface CouncilContact {
  referralId: string;
  /** The child on the shared record, once linked (null while only the sender's details are known). */
  childId: string | null;
  /** The day it was received (its submission, London time). */
  receivedOn: string;
  /** The kind of organisation that sent it (police_force, school, health, local_authority, oversight). */
  fromOrganisationType: string;
  /** The date of birth the sender gave, for a child not (yet) linked. */
  subjectDateOfBirth: string | null;
  outcome: CsOutcome | null;
  decidedOn: string | null;
}

/**
 * The contacts a council received between two days (inclusive): every referral sent to it, whatever
 * became of it, in the order received. Statutory returns read it (children's services' Annex A)
 * through this function, as they read children's identifiers through children's: referrals' tables
 * stay referrals' own. It runs under no access context: the caller is the council's return, which
 * reads only its own organisation's contacts and puts every child named on the access log.
 */
export async function councilContactsOf(
  tx: EntityManager,
  organisationId: string,
  from: string,
  to: string,
): Promise<CouncilContact[]> {
  return namedQuery<CouncilContact>(
    tx,
    `SELECT r.id AS "referralId", r.child_id AS "childId",
            to_char(rt.at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "receivedOn",
            fo.type AS "fromOrganisationType", to_char(r.subject_date_of_birth, 'YYYY-MM-DD') AS "subjectDateOfBirth",
            r.outcome, to_char(r.decided_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "decidedOn"
       FROM referral r
       JOIN referral_transition rt ON rt.referral_id = r.id AND rt.from_status IS NULL AND rt.to_status = 'SUBMITTED'
       JOIN organisation fo ON fo.id = r.from_organisation_id
      WHERE r.to_organisation_id = :org
        AND rt.at >= (CAST(:from AS date)::timestamp AT TIME ZONE 'Europe/London')
        AND rt.at < ((CAST(:to AS date) + 1)::timestamp AT TIME ZONE 'Europe/London')
      ORDER BY rt.at, r.id`,
    { org: organisationId, from, to },
  );
}

/**
 * The children a council decided needed immediate protection (police protection or an emergency
 * protection order: the MASH outcome IMMEDIATE_PROTECTION) between two days, each with the latest
 * such day. Annex A list 7 asks it of the children on a plan.
 */
export async function immediateProtectionOf(
  tx: EntityManager,
  organisationId: string,
  childIds: string[],
  from: string,
  to: string,
): Promise<Map<string, string>> {
  const rows = await namedQuery<{ childId: string; on: string }>(
    tx,
    `SELECT r.child_id AS "childId", to_char(max(r.decided_at) AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "on"
       FROM referral r
      WHERE r.to_organisation_id = :org AND r.child_id = ANY(:ids) AND r.outcome = 'IMMEDIATE_PROTECTION'
        AND r.decided_at >= (CAST(:from AS date)::timestamp AT TIME ZONE 'Europe/London')
        AND r.decided_at < ((CAST(:to AS date) + 1)::timestamp AT TIME ZONE 'Europe/London')
      GROUP BY r.child_id`,
    { org: organisationId, ids: childIds, from, to },
  );
  return new Map(rows.map((r) => [r.childId, r.on]));
}
