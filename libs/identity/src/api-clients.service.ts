import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, abilityToSql, type AppAbility, columnsFrom } from '@app/access';
import { decodeCursor, DomainError, type Page, toPage } from '@app/platform';
import { IdentityAudit } from './identity-audit';
import type { ApiClientDto, UpdateApiClientDto } from './identity.dto';
import { IdentityError } from './identity.errors';
import { TokenRevocations } from './token-revocations';
import { ApiClient } from './user.entity';

const toDto = (c: ApiClient): ApiClientDto => ({
  id: c.id,
  clientId: c.clientId,
  name: c.name,
  organisationId: c.organisationId,
  scopes: c.scopes,
  active: c.active,
  version: c.version,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/**
 * An organisation's partner-system clients, as its administrators see them: listed, and
 * deactivated or reactivated (audited). Deactivating ends the tokens the client holds: at once on
 * this process, within TOKEN_REVOCATION_POLL_SECONDS on the others. Secrets never leave the module.
 */
@Injectable()
export class ApiClientsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly revocations: TokenRevocations,
    private readonly audit: IdentityAudit,
  ) {}

  private scoped(manager: EntityManager, ability: AppAbility, action: 'read' | 'update') {
    const repo = manager.getRepository(ApiClient);
    const scope = abilityToSql(ability, action, 'ApiClient', columnsFrom(repo.metadata, 'c'));
    return repo.createQueryBuilder('c').where(scope.sql, scope.params);
  }

  async list(ability: AppAbility, limit: number, cursor?: string): Promise<Page<ApiClientDto>> {
    const after = decodeCursor(cursor, ['text', 'uuid']);
    const qb = this.scoped(this.db.manager, ability, 'read');
    if (after) {
      const [name, id] = after;
      qb.andWhere('(c.name, c.id) > (:name, :id)', { name, id });
    }
    const rows = await qb
      .orderBy('c.name')
      .addOrderBy('c.id')
      .take(limit + 1)
      .getMany();
    const page = toPage(rows, limit, (c) => [c.name, c.id]);
    return { data: page.data.map(toDto), nextCursor: page.nextCursor };
  }

  async get(ability: AppAbility, id: string): Promise<ApiClientDto> {
    const client = await this.scoped(this.db.manager, ability, 'read').andWhere('c.id = :id', { id }).getOne();
    if (!client) throw IdentityError.clientNotFound();
    return toDto(client);
  }

  async update(
    ctx: AccessContext,
    id: string,
    expectedVersion: number,
    dto: UpdateApiClientDto,
  ): Promise<ApiClientDto> {
    const { saved, generation } = await this.db.transaction(async (tx) => {
      const client = await this.scoped(tx, ctx.ability, 'update')
        .andWhere('c.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (!client) throw IdentityError.clientNotFound();
      if (client.version !== expectedVersion) {
        throw DomainError.preconditionFailed(`The client has changed (version ${client.version}); reload and retry.`);
      }
      if (client.active === dto.active) return { saved: toDto(client), generation: null };
      const before = { active: client.active };
      client.active = dto.active;
      // A deactivated client's tokens end; reactivating does not revive them (the generation stays).
      if (!dto.active) {
        client.tokenGeneration += 1;
        client.tokensValidAfter = new Date(); // real time, as TokenRevocations reads it
      }
      await tx.getRepository(ApiClient).save(client);
      const after = await tx.getRepository(ApiClient).findOneByOrFail({ id });
      await this.audit.record(
        tx,
        ctx,
        dto.active ? 'api_client.reactivate' : 'api_client.deactivate',
        'ApiClient',
        [id],
        'allowed',
        {
          clientId: after.clientId,
          changed: ['active'],
          before,
          after: { active: after.active },
        },
      );
      return { saved: toDto(after), generation: dto.active ? null : after.tokenGeneration };
    });
    if (generation !== null) this.revocations.note('client', id, generation);
    return saved;
  }
}
