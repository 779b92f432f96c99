import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, abilityToSql, type AppAbility, columnsFrom } from '@app/access';
import { Clock, decodeCursor, type Page, toPage } from '@app/platform';
import { IdentityAudit, identityFacts } from './identity-audit';
import type { RoleGrantDto } from './identity.dto';
import { IdentityError } from './identity.errors';
import { RoleGrant, type RoleGrantStatus } from './role-grant.entity';
import { TokenRevocations } from './token-revocations';
import { User } from './user.entity';

const toDto = (g: RoleGrant): RoleGrantDto => ({
  id: g.id,
  organisationId: g.organisationId,
  userId: g.userId,
  roles: g.roles,
  status: g.status,
  requestedBy: g.requestedBy,
  requestedAt: g.requestedAt,
  decidedBy: g.decidedBy,
  decidedAt: g.decidedAt,
  comment: g.comment,
});

type Decision = 'approve' | 'reject';

/**
 * The two-person rule for roles that read child data (and org_admin): an administrator asks
 * (UsersService), another administrator of the same organisation approves or rejects. The one who
 * asked may withdraw (reject) but never approve, and nobody approves a grant to themself. Every
 * decision, and every refused approval, is audited.
 */
@Injectable()
export class RoleGrantsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly revocations: TokenRevocations,
    private readonly audit: IdentityAudit,
    private readonly clock: Clock,
  ) {}

  private scoped(manager: EntityManager, ability: AppAbility, action: 'read' | 'update') {
    const repo = manager.getRepository(RoleGrant);
    const scope = abilityToSql(ability, action, 'RoleGrant', columnsFrom(repo.metadata, 'g'));
    return repo.createQueryBuilder('g').where(scope.sql, scope.params);
  }

  /** Newest first. */
  async list(
    ability: AppAbility,
    limit: number,
    cursor?: string,
    status?: RoleGrantStatus,
  ): Promise<Page<RoleGrantDto>> {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const qb = this.scoped(this.db.manager, ability, 'read');
    if (status) qb.andWhere('g.status = :status', { status });
    if (after) {
      const [at, id] = after;
      qb.andWhere('(g.requestedAt, g.id) < (:at, :id)', { at: new Date(at), id });
    }
    const rows = await qb
      .orderBy('g.requestedAt', 'DESC')
      .addOrderBy('g.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = toPage(rows, limit, (g) => [g.requestedAt.toISOString(), g.id]);
    return { data: page.data.map(toDto), nextCursor: page.nextCursor };
  }

  approve(ctx: AccessContext, id: string, comment?: string): Promise<RoleGrantDto> {
    return this.decide(ctx, id, 'approve', comment);
  }

  reject(ctx: AccessContext, id: string, comment?: string): Promise<RoleGrantDto> {
    return this.decide(ctx, id, 'reject', comment);
  }

  private async decide(ctx: AccessContext, id: string, decision: Decision, comment?: string): Promise<RoleGrantDto> {
    const actorId = ctx.actor.id;
    const outcome = await this.db.transaction(async (tx) => {
      // Lock the grant: of two concurrent decisions exactly one finds it pending.
      const grant = await this.scoped(tx, ctx.ability, 'update')
        .andWhere('g.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (!grant) throw IdentityError.grantNotFound();
      if (grant.status !== 'pending') throw IdentityError.grantAlreadyDecided(grant.status);
      const refusal =
        decision === 'approve' && grant.requestedBy === actorId
          ? { reason: 'own_request', error: IdentityError.ownRequest() }
          : decision === 'approve' && grant.userId === actorId
            ? { reason: 'to_self', error: IdentityError.grantToSelf() }
            : null;
      if (refusal) {
        // Refused, and the attempt is on record: this transaction commits the audit event only.
        await this.audit.record(tx, ctx, 'role_grant.approve', 'RoleGrant', [grant.id, grant.userId], 'denied', {
          reason: refusal.reason,
          roleGrantId: grant.id,
          userId: grant.userId,
          roles: [...grant.roles].sort(),
          requestedBy: grant.requestedBy,
        });
        return { denied: refusal.error } as const;
      }
      const details: Record<string, unknown> = {
        roleGrantId: grant.id,
        userId: grant.userId,
        roles: [...grant.roles].sort(),
        requestedBy: grant.requestedBy,
      };
      let generation: number | null = null;
      if (decision === 'approve') {
        const users = tx.getRepository(User);
        const user = await users
          .createQueryBuilder('u')
          .where('u.id = :id', { id: grant.userId })
          .setLock('pessimistic_write')
          .getOneOrFail();
        details.before = identityFacts(user);
        user.roles = [...user.roles, ...grant.roles.filter((r) => !user.roles.includes(r))];
        // Tokens carry the roles they were issued with: the person logs in again to use the new ones.
        user.tokenGeneration += 1;
        user.tokensValidAfter = new Date(); // real time, as TokenRevocations reads it
        await users.save(user);
        details.after = identityFacts(user);
        generation = user.tokenGeneration;
      }
      grant.status = decision === 'approve' ? 'approved' : 'rejected';
      grant.decidedBy = actorId;
      grant.decidedAt = this.clock.now();
      grant.comment = comment ?? null;
      await tx.getRepository(RoleGrant).save(grant);
      await this.audit.record(
        tx,
        ctx,
        `role_grant.${decision}`,
        'RoleGrant',
        [grant.id, grant.userId],
        'allowed',
        details,
      );
      return { ok: { grant: toDto(grant), generation } } as const;
    });
    if ('denied' in outcome) throw outcome.denied;
    const { grant, generation } = outcome.ok;
    if (generation !== null) this.revocations.note('user', grant.userId, generation);
    return grant;
  }
}
