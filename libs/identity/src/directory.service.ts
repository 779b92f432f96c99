import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { abilityToSql, type AppAbility, columnsFrom } from '@app/access';
import { type Actor, decodeCursor, type Page, toPage } from '@app/platform';
import type { OrganisationDto } from './identity.dto';
import { Organisation, Team } from './organisation.entity';
import { ApiClient, User } from './user.entity';

@Injectable()
export class DirectoryService {
  constructor(
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    @InjectRepository(Team) private readonly teams: Repository<Team>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(ApiClient) private readonly clients: Repository<ApiClient>,
  ) {}

  async listOrganisations(ability: AppAbility, limit: number, cursor?: string): Promise<Page<OrganisationDto>> {
    const after = decodeCursor(cursor, ['text', 'uuid']);
    const scope = abilityToSql(ability, 'read', 'Organisation', columnsFrom(this.organisations.metadata, 'o'));
    const qb = this.organisations.createQueryBuilder('o').where(scope.sql, scope.params);
    if (after) qb.andWhere('(o.name, o.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await qb
      .orderBy('o.name')
      .addOrderBy('o.id')
      .take(limit + 1)
      .getMany();
    const page = toPage(rows, limit, (o) => [o.name, o.id]);
    // One query for all teams of the page, not one per organisation.
    const teams = page.data.length
      ? await this.teams.find({ where: { organisationId: In(page.data.map((o) => o.id)) }, order: { name: 'ASC' } })
      : [];
    return {
      nextCursor: page.nextCursor,
      data: page.data.map((o) => ({
        id: o.id,
        code: o.code,
        name: o.name,
        type: o.type,
        teams: teams
          .filter((t) => t.organisationId === o.id)
          .map((t) => ({ id: t.id, organisationId: t.organisationId, name: t.name, function: t.function })),
      })),
    };
  }

  async describe(actor: Actor) {
    const [organisation, team, user, client] = await Promise.all([
      this.organisations.findOneByOrFail({ id: actor.organisationId }),
      actor.teamId ? this.teams.findOneBy({ id: actor.teamId }) : Promise.resolve(null),
      actor.kind === 'user' ? this.users.findOneBy({ id: actor.id }) : Promise.resolve(null),
      actor.kind === 'client' ? this.clients.findOneBy({ id: actor.id }) : Promise.resolve(null),
    ]);
    return {
      organisation: { id: organisation.id, code: organisation.code, name: organisation.name, type: organisation.type },
      team: team
        ? { id: team.id, organisationId: team.organisationId, name: team.name, function: team.function }
        : null,
      name: user?.name ?? client?.name ?? '',
      email: user?.email ?? null,
    };
  }
}
