import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, columnsFrom, type FieldSql } from '@app/access';
import { requireScoped } from '@app/casework';
import { childHiddenColumn, childHiddenField } from '@app/children';
import { decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import type { AgreementDto, CreateAgreementDto, InformationRequestDto, RequestListQuery } from './sharing.dto';
import { InformationRequest, SharingAgreement, SharingAgreementParty } from './sharing.entity';

const REQUEST_COLUMNS = `
  q.id, q.from_organisation_id AS "fromOrganisationId", fo.name AS "fromOrganisationName",
  q.to_organisation_id AS "toOrganisationId", tor.name AS "toOrganisationName", q.child_id AS "childId",
  q.identification, q.purpose, q.classes_requested AS "classesRequested", q.urgency, q.status, q.due_at AS "dueAt",
  (q.status = 'REQUESTED' AND q.due_at < :now) AS overdue, q.classes_disclosed AS "classesDisclosed",
  q.disclosed_until AS "disclosedUntil", q.lawful_basis AS "lawfulBasis", q.decision_reason AS "decisionReason",
  q.agreement_id AS "agreementId", q.justification, q.grant_id AS "grantId", q.decided_at AS "decidedAt",
  q.created_at AS "createdAt", ${childHiddenColumn('q.child_id', 'viewerId')} AS "childHiddenFrom"`;
const REQUEST_FROM = `information_request q
  JOIN organisation fo ON fo.id = q.from_organisation_id
  JOIN organisation tor ON tor.id = q.to_organisation_id`;

export type RequestRow = InformationRequestDto & { childId: string | null; childHiddenFrom?: string[] };
export type RequestBox = 'inbox' | 'sent' | 'decisions';

/** Condition fields of requests: their columns, and whether they name a hidden child. */
const requestFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(InformationRequest).metadata, 'q', { childHiddenFrom: childHiddenField('q.child_id') });

const agreementParties = (alias: string): FieldSql => ({
  custom: (op, p) => {
    if (op !== 'eq') throw new Error('partyOrganisationIds supports only equality');
    return `EXISTS (SELECT 1 FROM sharing_agreement_party ap WHERE ap.agreement_id = ${alias}.id AND ap.organisation_id = :${p})`;
  },
});

/**
 * The SQL of sharing agreements and information requests. Every method runs on the caller's
 * EntityManager (its transaction); reads a caller may be refused are scoped by the policy in SQL.
 */
@Injectable()
export class SharingRepository {
  // ---------- agreements ----------

  /** The agreement and its parties, as approved by the actor. */
  async insertAgreement(
    tx: EntityManager,
    agreement: Partial<SharingAgreement>,
    parties: CreateAgreementDto['parties'],
  ): Promise<string> {
    const saved = await tx.getRepository(SharingAgreement).save(tx.getRepository(SharingAgreement).create(agreement));
    await tx.getRepository(SharingAgreementParty).insert(
      parties.map((p) => ({
        agreementId: saved.id,
        organisationId: p.organisationId,
        receivableClasses: p.receivableClasses,
      })),
    );
    return saved.id;
  }

  /** A page of the agreements the caller may read, newest first (or the one asked for, or 404). */
  async agreementsPage(
    db: EntityManager,
    ctx: AccessContext,
    limit: number,
    cursor?: string,
    onlyId?: string,
  ): Promise<Page<AgreementDto>> {
    const scope = abilityToSql(
      ctx.ability,
      'read',
      'SharingAgreement',
      columnsFrom(db.getRepository(SharingAgreement).metadata, 'a', {
        partyOrganisationIds: agreementParties('a'),
      }),
      'ag',
    );
    const params: Record<string, unknown> = { ...scope.params, limit: limit + 1 };
    const where = [scope.sql];
    if (onlyId) {
      where.push('a.id = :onlyId');
      params.onlyId = onlyId;
    }
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    if (after) {
      Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
      where.push('(a.created_at, a.id) < (:cc, :ci)');
    }
    const rows = await namedQuery<AgreementDto & { createdAt: Date }>(
      db,
      `SELECT a.id, a.name, a.purpose, a.lawful_basis AS "lawfulBasis", a.lawful_basis_detail AS "lawfulBasisDetail",
              to_char(a.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(a.ends_on, 'YYYY-MM-DD') AS "endsOn",
              a.approved_by AS "approvedBy", a.approved_at AS "approvedAt", a.created_at AS "createdAt",
              (SELECT json_agg(json_build_object('organisationId', p.organisation_id, 'receivableClasses', p.receivable_classes))
                 FROM sharing_agreement_party p WHERE p.agreement_id = a.id) AS parties
         FROM sharing_agreement a WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT :limit`,
      params,
    );
    if (onlyId && !rows[0]) throw DomainError.notFound('Agreement');
    return toPage(rows, limit, (r) => [new Date(r.createdAt).toISOString(), r.id]);
  }

  /** An agreement in force today under which the grantor may give the grantee all these classes. */
  async coveringAgreement(
    tx: EntityManager,
    grantor: string,
    grantee: string,
    classes: string[],
    now: Date,
  ): Promise<string | null> {
    const rows = await namedQuery<{ id: string }>(
      tx,
      `SELECT a.id FROM sharing_agreement a
         JOIN sharing_agreement_party pg ON pg.agreement_id = a.id AND pg.organisation_id = :grantee
         JOIN sharing_agreement_party pr ON pr.agreement_id = a.id AND pr.organisation_id = :grantor
        WHERE a.starts_on <= :today AND a.ends_on >= :today AND pg.receivable_classes @> :classes::text[]
        ORDER BY a.ends_on DESC LIMIT 1`,
      { grantor, grantee, classes, today: now.toISOString().slice(0, 10) },
    );
    return rows[0]?.id ?? null;
  }

  // ---------- requests ----------

  /** The kinds of organisations (the directory), by id. */
  async organisationTypesOf(tx: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const rows = await namedQuery<{ id: string; type: string }>(
      tx,
      'SELECT id, type FROM organisation WHERE id = ANY(:ids)',
      { ids },
    );
    return new Map(rows.map((r) => [r.id, r.type]));
  }

  insertRequest(tx: EntityManager, values: Partial<InformationRequest>): Promise<InformationRequest> {
    return tx.getRepository(InformationRequest).save(tx.getRepository(InformationRequest).create(values));
  }

  /** The request under the caller's read scope, or 404; locked until the change commits when asked. */
  requireRequest(tx: EntityManager, ctx: AccessContext, id: string, now: Date, lock = false): Promise<RequestRow> {
    return requireScoped<RequestRow>(tx, ctx, {
      action: 'read',
      subject: 'InformationRequest',
      fields: requestFields(tx),
      prefix: 'ir',
      sql: (scope) =>
        `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE q.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF q' : ''}`,
      params: { id, now, viewerId: ctx.actor.id },
      notFound: () => DomainError.notFound('Information request'),
    });
  }

  /** The decision on a request (declined, or disclosed under a grant). */
  async recordDecision(tx: EntityManager, id: string, decision: Partial<InformationRequest>): Promise<void> {
    await tx.getRepository(InformationRequest).update({ id }, decision);
  }

  /** A page of requests received (by due date), sent or decided (newest first), under the caller's scope. */
  async requestsPage(
    tx: EntityManager,
    ctx: AccessContext,
    q: RequestListQuery,
    box: RequestBox,
    now: Date,
  ): Promise<Page<RequestRow>> {
    const limit = q.limit ?? 50;
    const scope = abilityToSql(ctx.ability, 'read', 'InformationRequest', requestFields(tx), 'ir');
    const params: Record<string, unknown> = {
      ...scope.params,
      org: ctx.actor.organisationId,
      now,
      viewerId: ctx.actor.id,
      limit: limit + 1,
    };
    const where = [scope.sql];
    if (box === 'inbox') where.push('q.to_organisation_id = :org');
    if (box === 'sent') where.push('q.from_organisation_id = :org');
    if (box === 'decisions') where.push(`q.status <> 'REQUESTED'`);
    if (q.status) {
      where.push('q.status = :status');
      params.status = q.status;
    }
    const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
    const orderCol = box === 'inbox' ? 'q.due_at' : 'q.created_at';
    if (after) {
      Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
      where.push(box === 'inbox' ? `(${orderCol}, q.id) > (:cc, :ci)` : `(${orderCol}, q.id) < (:cc, :ci)`);
    }
    const rows = await namedQuery<RequestRow>(
      tx,
      `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE ${where.join(' AND ')}
          ORDER BY ${box === 'inbox' ? `${orderCol}, q.id` : `${orderCol} DESC, q.id DESC`} LIMIT :limit`,
      params,
    );
    return toPage(rows, limit, (r) => [new Date(box === 'inbox' ? r.dueAt : r.createdAt).toISOString(), r.id]);
  }

  // ---------- identity's directory (read only) ----------

  /** How many of these organisations exist. */
  async countKnownOrganisations(tx: EntityManager, ids: string[]): Promise<number> {
    const known = await namedQuery<{ id: string }>(tx, 'SELECT id FROM organisation WHERE id = ANY(:ids)', { ids });
    return known.length;
  }

  async organisationExists(tx: EntityManager, id: string): Promise<boolean> {
    const org = await namedQuery<{ id: string; type: string }>(tx, 'SELECT id, type FROM organisation WHERE id = :id', {
      id,
    });
    return Boolean(org[0]);
  }
}
