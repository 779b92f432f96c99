import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, columnsFrom } from '@app/access';
import { type Disclosure, Disclosures, type GrantView, requireScoped } from '@app/casework';
import { Clock, decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import { childHiddenField, grantInForce } from './child-scope';
import { SharingGrant } from './involvement.entity';

const GRANT_COLUMNS = `g.id, g.child_id AS "childId", g.grantor_organisation_id AS "grantorOrganisationId",
  g.grantee_organisation_id AS "granteeOrganisationId", g.classes, g.from_at AS "fromAt", g.until_at AS "untilAt",
  g.revoked_at AS "revokedAt", g.revoke_reason AS "revokeReason", g.request_id AS "requestId"`;

// Grants naming a restricted child are hidden like its referrals (the policy's rule for every actor).
const grantFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(SharingGrant).metadata, 'g', { childHiddenFrom: childHiddenField('g.child_id') });

/** The children module's side of the kernel's Disclosures: grants kept on the record they open. */
@Injectable()
export class ChildrenDisclosures extends Disclosures {
  constructor(private readonly clock: Clock) {
    super();
  }

  async grant(tx: EntityManager, disclosure: Disclosure): Promise<string> {
    const grant = await tx.getRepository(SharingGrant).save(tx.getRepository(SharingGrant).create(disclosure));
    return grant.id;
  }

  async list(tx: EntityManager, ctx: AccessContext, limit: number, cursor?: string): Promise<Page<GrantView>> {
    const scope = abilityToSql(ctx.ability, 'read', 'SharingGrant', grantFields(tx), 'sg');
    const params: Record<string, unknown> = { ...scope.params, now: this.clock.now(), limit: limit + 1 };
    const where = [scope.sql];
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    if (after) {
      Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
      where.push('(g.from_at, g.id) < (:cc, :ci)');
    }
    const rows = await namedQuery<GrantView>(
      tx,
      `SELECT ${GRANT_COLUMNS}, (${grantInForce('g', 'now')}) AS active
         FROM sharing_grant g WHERE ${where.join(' AND ')} ORDER BY g.from_at DESC, g.id DESC LIMIT :limit`,
      params,
    );
    return toPage(rows, limit, (r) => [new Date(r.fromAt).toISOString(), r.id]);
  }

  async revoke(
    tx: EntityManager,
    ctx: AccessContext,
    grantId: string,
    reason: string,
  ): Promise<GrantView & { granteeName: string }> {
    const grant = await requireScoped<GrantView & { granteeName: string }>(tx, ctx, {
      action: 'update',
      subject: 'SharingGrant',
      fields: grantFields(tx),
      prefix: 'sg',
      sql: (scope) =>
        `SELECT ${GRANT_COLUMNS}, o.name AS "granteeName" FROM sharing_grant g
           JOIN organisation o ON o.id = g.grantee_organisation_id WHERE g.id = :id AND ${scope} FOR UPDATE OF g`,
      params: { id: grantId },
      notFound: () => DomainError.notFound('Grant'),
    });
    if (grant.revokedAt) throw DomainError.conflict('GRANT.ALREADY_REVOKED', 'The grant is already revoked.');
    const now = this.clock.now();
    await tx
      .getRepository(SharingGrant)
      .update({ id: grantId }, { revokedAt: now, revokedBy: ctx.actor.id, revokeReason: reason });
    return { ...grant, revokedAt: now, revokeReason: reason, active: false };
  }

  async announceEnding(tx: EntityManager, soon: Date): Promise<GrantView[]> {
    const now = this.clock.now();
    return namedQuery<GrantView>(
      tx,
      `WITH due AS (
         SELECT id FROM sharing_grant
          WHERE revoked_at IS NULL AND expiry_notice_at IS NULL AND until_at > :now AND until_at <= :soon
          FOR UPDATE SKIP LOCKED),
       announced AS (
         UPDATE sharing_grant g SET expiry_notice_at = :now FROM due WHERE g.id = due.id
         RETURNING ${GRANT_COLUMNS}, true AS active)
       SELECT * FROM announced`,
      { now, soon },
    );
  }
}
