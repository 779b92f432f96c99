import { subject } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import {
  type AccessContext,
  abilityToSql,
  type AppAbility,
  columnsFrom,
  isRole,
  roleAllowedIn,
  ROLES_NEEDING_APPROVAL,
} from '@app/access';
import { Clock, decodeCursor, DomainError, type FieldError, type Page, toPage } from '@app/platform';
import { IdentityAudit, identityFacts } from './identity-audit';
import type { CreateUserDto, UpdateUserDto, UserDto } from './identity.dto';
import { IdentityError } from './identity.errors';
import { Organisation, Team } from './organisation.entity';
import { hashSecret } from './passwords';
import { RoleGrant } from './role-grant.entity';
import { TokenRevocations } from './token-revocations';
import { User } from './user.entity';

const toDto = (u: User, pending: RoleGrant | undefined): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  organisationId: u.organisationId,
  teamId: u.teamId,
  roles: u.roles,
  active: u.active,
  pendingRoles: pending?.roles ?? [],
  pendingRoleGrantId: pending?.id ?? null,
  version: u.version,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

const sameSet = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));

const needsApproval = (role: string): boolean => (ROLES_NEEDING_APPROVAL as readonly string[]).includes(role);

/** A refusal that must be on record: the transaction commits its audit event, then it is thrown. */
type Outcome<T> = { ok: T } | { denied: DomainError };

/**
 * User administration, always inside the administrator's own organisation (scoped in SQL). Every
 * change is audited in its own transaction. Nobody changes their own roles, and a role that reads
 * child data (or org_admin) is only asked for here: a second administrator grants it (RoleGrantsService).
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly revocations: TokenRevocations,
    private readonly audit: IdentityAudit,
    private readonly clock: Clock,
  ) {}

  private scoped(manager: EntityManager, ability: AppAbility, action: 'read' | 'update') {
    const repo = manager.getRepository(User);
    const scope = abilityToSql(ability, action, 'User', columnsFrom(repo.metadata, 'u'));
    return repo.createQueryBuilder('u').where(scope.sql, scope.params);
  }

  /** The pending grant of each of these people (at most one each). */
  private async pendingFor(manager: EntityManager, userIds: string[]): Promise<Map<string, RoleGrant>> {
    if (userIds.length === 0) return new Map();
    const grants = await manager.getRepository(RoleGrant).findBy({ userId: In(userIds), status: 'pending' });
    return new Map(grants.map((g) => [g.userId, g]));
  }

  async list(ability: AppAbility, limit: number, cursor?: string, q?: string): Promise<Page<UserDto>> {
    const after = decodeCursor(cursor, ['text', 'uuid']);
    const qb = this.scoped(this.db.manager, ability, 'read');
    if (q) {
      qb.andWhere("(u.name ILIKE :q ESCAPE '\\' OR u.email ILIKE :q ESCAPE '\\')", {
        q: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    if (after) qb.andWhere('(u.name, u.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await qb
      .orderBy('u.name')
      .addOrderBy('u.id')
      .take(limit + 1)
      .getMany();
    const page = toPage(rows, limit, (u) => [u.name, u.id]);
    const pending = await this.pendingFor(
      this.db.manager,
      page.data.map((u) => u.id),
    );
    return { data: page.data.map((u) => toDto(u, pending.get(u.id))), nextCursor: page.nextCursor };
  }

  async get(ability: AppAbility, id: string): Promise<UserDto> {
    const user = await this.scoped(this.db.manager, ability, 'read').andWhere('u.id = :id', { id }).getOne();
    if (!user) throw DomainError.notFound('User');
    return toDto(user, (await this.pendingFor(this.db.manager, [id])).get(id));
  }

  async create(ctx: AccessContext, dto: CreateUserDto): Promise<UserDto> {
    // Administrators create people in their own organisation only: it is not a field they choose.
    const organisationId = ctx.actor.organisationId;
    if (!ctx.ability.can('create', subject('User', { organisationId }))) {
      throw DomainError.forbidden('You may not create users in this organisation.');
    }
    const passwordHash = await hashSecret(dto.password);
    return this.db.transaction(async (tx) => {
      const org = await tx.getRepository(Organisation).findOneByOrFail({ id: organisationId });
      await this.checkRolesAndTeam(tx, org, dto.roles, dto.teamId ?? null);
      const taken = await tx.getRepository(User).exists({ where: { email: dto.email } });
      if (taken) throw DomainError.conflict('USER.EMAIL_TAKEN', 'A user with this email already exists.');
      const later = dto.roles.filter(needsApproval);
      const saved = await tx.getRepository(User).save(
        tx.getRepository(User).create({
          email: dto.email,
          name: dto.name,
          organisationId,
          teamId: dto.teamId ?? null,
          roles: dto.roles.filter((r) => !later.includes(r)),
          passwordHash,
          active: true,
        }),
      );
      const user = await tx.getRepository(User).findOneByOrFail({ id: saved.id });
      await this.audit.record(tx, ctx, 'user.create', 'User', [user.id], 'allowed', {
        after: identityFacts(user),
        pendingRoles: later,
      });
      const grant = later.length > 0 ? await this.requestGrant(tx, ctx, user, later) : undefined;
      return toDto(user, grant);
    });
  }

  async update(ctx: AccessContext, id: string, expectedVersion: number, dto: UpdateUserDto): Promise<UserDto> {
    const outcome = await this.db.transaction(
      async (tx): Promise<Outcome<{ saved: UserDto; generation: number | null }>> => {
        // Lock the row: the version check and the write must not interleave with another update.
        const user = await this.scoped(tx, ctx.ability, 'update')
          .andWhere('u.id = :id', { id })
          .setLock('pessimistic_write')
          .getOne();
        if (!user) throw DomainError.notFound('User');
        if (user.version !== expectedVersion) {
          throw DomainError.preconditionFailed(`The user has changed (version ${user.version}); reload and retry.`);
        }
        if (dto.roles !== undefined && user.id === ctx.actor.id && !sameSet(dto.roles, user.roles)) {
          // Refused, and the attempt is on record: this transaction commits the audit event only.
          await this.audit.record(tx, ctx, 'user.update', 'User', [user.id], 'denied', {
            reason: 'own_roles',
            before: identityFacts(user),
            requestedRoles: [...dto.roles].sort(),
          });
          return { denied: IdentityError.ownRoles() };
        }
        const org = await tx.getRepository(Organisation).findOneByOrFail({ id: user.organisationId });
        await this.checkRolesAndTeam(
          tx,
          org,
          dto.roles ?? user.roles,
          dto.teamId === undefined ? user.teamId : dto.teamId,
        );
        const before = identityFacts(user);
        // Roles that read child data (and org_admin) wait for a second administrator; the rest of
        // the change (removals, other roles, team, active, name) applies now.
        const later = (dto.roles ?? []).filter((r) => !user.roles.includes(r) && needsApproval(r));
        const roles = dto.roles === undefined ? user.roles : dto.roles.filter((r) => !later.includes(r));
        const changed = [
          ...(dto.name !== undefined && dto.name !== user.name ? ['name'] : []),
          ...(dto.teamId !== undefined && dto.teamId !== user.teamId ? ['teamId'] : []),
          ...(!sameSet(roles, user.roles) ? ['roles'] : []),
          ...(dto.active !== undefined && dto.active !== user.active ? ['active'] : []),
        ];
        const narrowed =
          (dto.active === false && user.active) || changed.includes('teamId') || changed.includes('roles');
        if (dto.name !== undefined) user.name = dto.name;
        if (dto.teamId !== undefined) user.teamId = dto.teamId;
        user.roles = roles;
        if (dto.active !== undefined) user.active = dto.active;
        // Tokens carry the roles and team they were issued with: those of earlier generations end.
        if (narrowed) {
          user.tokenGeneration += 1;
          user.tokensValidAfter = new Date(); // real time, as TokenRevocations reads it
        }
        await tx.getRepository(User).save(user);
        const after = await tx.getRepository(User).findOneByOrFail({ id });
        if (changed.length > 0) {
          await this.audit.record(tx, ctx, 'user.update', 'User', [id], 'allowed', {
            changed,
            before,
            after: identityFacts(after),
          });
        }
        const grant =
          later.length > 0 ? await this.requestGrant(tx, ctx, after, later) : (await this.pendingFor(tx, [id])).get(id);
        return { ok: { saved: toDto(after, grant), generation: narrowed ? user.tokenGeneration : null } };
      },
    );
    if ('denied' in outcome) throw outcome.denied;
    const { saved, generation } = outcome.ok;
    // This process refuses earlier tokens at once; the others within TOKEN_REVOCATION_POLL_SECONDS.
    if (generation !== null) this.revocations.note('user', id, generation);
    return saved;
  }

  /** Records roles asked for a person, to be approved by another administrator; audited. */
  private async requestGrant(tx: EntityManager, ctx: AccessContext, user: User, roles: string[]): Promise<RoleGrant> {
    const existing = (await this.pendingFor(tx, [user.id])).get(user.id);
    // One pending grant per person (a unique index backs this against a race).
    if (existing) throw IdentityError.grantPending(existing.id);
    const repo = tx.getRepository(RoleGrant);
    const grant = await repo.save(
      repo.create({
        organisationId: user.organisationId,
        userId: user.id,
        roles,
        status: 'pending',
        requestedBy: ctx.actor.id,
        requestedAt: this.clock.now(),
        decidedBy: null,
        decidedAt: null,
        comment: null,
      }),
    );
    await this.audit.record(tx, ctx, 'role_grant.request', 'RoleGrant', [grant.id, user.id], 'allowed', {
      roleGrantId: grant.id,
      userId: user.id,
      roles: [...roles].sort(),
    });
    return grant;
  }

  private async checkRolesAndTeam(tx: EntityManager, org: Organisation, roles: string[], teamId: string | null) {
    const errors: FieldError[] = [];
    roles.forEach((role, i) => {
      if (!isRole(role) || !roleAllowedIn(role, org.type)) {
        errors.push({ field: `roles.${i}`, message: `role ${role} is not available in a ${org.type} organisation` });
      }
    });
    if (teamId !== null) {
      const team = await tx.getRepository(Team).findOneBy({ id: teamId, organisationId: org.id });
      if (!team) errors.push({ field: 'teamId', message: 'teamId is not a team of this organisation' });
    }
    if (errors.length) throw DomainError.validation(errors);
  }
}
