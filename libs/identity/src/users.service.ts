import { subject } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AppAbility, columnsFrom, isRole, roleAllowedIn } from '@app/access';
import { type Actor, decodeCursor, DomainError, type FieldError, type Page, toPage } from '@app/platform';
import type { CreateUserDto, UpdateUserDto, UserDto } from './identity.dto';
import { Organisation, Team } from './organisation.entity';
import { hashSecret } from './passwords';
import { TokenRevocations } from './token-revocations';
import { User } from './user.entity';

const toDto = (u: User): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  organisationId: u.organisationId,
  teamId: u.teamId,
  roles: u.roles,
  active: u.active,
  version: u.version,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

const sameSet = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));

/** User administration, always inside the administrator's own organisation (scoped in SQL). */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly revocations: TokenRevocations,
  ) {}

  private scoped(manager: EntityManager, ability: AppAbility, action: 'read' | 'update') {
    const repo = manager.getRepository(User);
    const scope = abilityToSql(ability, action, 'User', columnsFrom(repo.metadata, 'u'));
    return repo.createQueryBuilder('u').where(scope.sql, scope.params);
  }

  async list(ability: AppAbility, limit: number, cursor?: string, q?: string): Promise<Page<UserDto>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
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
    return { data: page.data.map(toDto), nextCursor: page.nextCursor };
  }

  async get(ability: AppAbility, id: string): Promise<UserDto> {
    const user = await this.scoped(this.db.manager, ability, 'read').andWhere('u.id = :id', { id }).getOne();
    if (!user) throw DomainError.notFound('User');
    return toDto(user);
  }

  async create(actor: Actor, ability: AppAbility, dto: CreateUserDto): Promise<UserDto> {
    // Administrators create people in their own organisation only: it is not a field they choose.
    const organisationId = actor.organisationId;
    if (!ability.can('create', subject('User', { organisationId }))) {
      throw DomainError.forbidden('You may not create users in this organisation.');
    }
    const passwordHash = await hashSecret(dto.password);
    return this.db.transaction(async (tx) => {
      const org = await tx.getRepository(Organisation).findOneByOrFail({ id: organisationId });
      await this.checkRolesAndTeam(tx, org, dto.roles, dto.teamId ?? null);
      const taken = await tx.getRepository(User).exists({ where: { email: dto.email } });
      if (taken) throw DomainError.conflict('USER.EMAIL_TAKEN', 'A user with this email already exists.');
      const saved = await tx.getRepository(User).save(
        tx.getRepository(User).create({
          email: dto.email,
          name: dto.name,
          organisationId,
          teamId: dto.teamId ?? null,
          roles: dto.roles,
          passwordHash,
          active: true,
        }),
      );
      return toDto(await tx.getRepository(User).findOneByOrFail({ id: saved.id }));
    });
  }

  async update(ability: AppAbility, id: string, expectedVersion: number, dto: UpdateUserDto): Promise<UserDto> {
    return this.db
      .transaction(async (tx) => {
        // Lock the row: the version check and the write must not interleave with another update.
        const user = await this.scoped(tx, ability, 'update')
          .andWhere('u.id = :id', { id })
          .setLock('pessimistic_write')
          .getOne();
        if (!user) throw DomainError.notFound('User');
        if (user.version !== expectedVersion) {
          throw DomainError.preconditionFailed(`The user has changed (version ${user.version}); reload and retry.`);
        }
        const org = await tx.getRepository(Organisation).findOneByOrFail({ id: user.organisationId });
        await this.checkRolesAndTeam(
          tx,
          org,
          dto.roles ?? user.roles,
          dto.teamId === undefined ? user.teamId : dto.teamId,
        );
        const narrowed =
          (dto.active === false && user.active) ||
          (dto.teamId !== undefined && dto.teamId !== user.teamId) ||
          (dto.roles !== undefined && !sameSet(dto.roles, user.roles));
        if (dto.name !== undefined) user.name = dto.name;
        if (dto.teamId !== undefined) user.teamId = dto.teamId;
        if (dto.roles !== undefined) user.roles = dto.roles;
        if (dto.active !== undefined) user.active = dto.active;
        // Tokens carry the roles and team they were issued with: those of earlier generations end.
        if (narrowed) {
          user.tokenGeneration += 1;
          user.tokensValidAfter = new Date();
        }
        await tx.getRepository(User).save(user);
        const saved = toDto(await tx.getRepository(User).findOneByOrFail({ id }));
        return { saved, generation: narrowed ? user.tokenGeneration : null };
      })
      .then(({ saved, generation }) => {
        // This process refuses them at once; the others within TOKEN_REVOCATION_POLL_SECONDS.
        if (generation !== null) this.revocations.note('user', id, generation);
        return saved;
      });
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
