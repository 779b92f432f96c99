import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, can, permittedFields } from '@app/access';
import { Clock, DomainError, type FieldError, type Page, sentKeys } from '@app/platform';
import { ChildAccess } from './child-access.service';
import { ChildMatching } from './child-matching.service';
import { birthDateErrors, childRelations, type LoadedChild, presentChild } from './child-rules';
import type { SearchPaths } from './child-scope';
import { searchPaths } from './child-scope';
import { ChildError } from './children.errors';
import {
  type AddressDto,
  type ChildDto,
  type ChildSearchQuery,
  type CreateChildDto,
  MAX_ADDRESSES_PER_CHILD,
  type UpdateChildDto,
} from './children.dto';
import { ChildrenRepository } from './children.repository';
import { Collaboration } from './collaboration.service';
import { nameKeyOf, normaliseName, searchNameOf } from './names';

/** The child record's own use cases: read, search, register, update, add an address. */
@Injectable()
export class ChildrenService {
  private readonly logger = new Logger(ChildrenService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ChildrenRepository,
    private readonly access: ChildAccess,
    private readonly matching: ChildMatching,
    private readonly collaboration: Collaboration,
    private readonly clock: Clock,
  ) {}

  /** The hot read: one statement, its audit event included (see ChildrenRepository.readAudited). */
  async get(ctx: AccessContext, id: string): Promise<ChildDto> {
    const now = this.clock.now();
    const child = await this.repo.readAudited(ctx, id, this.access.entry(ctx, 'child.read', [id], 'allowed'), now);
    if (!child) throw ChildError.notFound();
    if (!can(ctx.ability, 'read', 'Child', child)) {
      // The SQL scope and the policy disagree: a bug. Answer as for any child out of reach, and
      // correct the record the statement wrote ("allowed") with what the caller actually got.
      this.logger.error(`The SQL scope returned child ${id}, which the policy refuses`);
      await this.access.record(this.db.manager, ctx, 'child.read', [id], 'denied', {
        details: { correction: 'the policy refused the row the scope returned; nothing was answered' },
      });
      throw ChildError.notFound();
    }
    return this.present(ctx, child);
  }

  /** The child as the caller may see it (see presentChild). */
  present(ctx: AccessContext, child: LoadedChild): ChildDto {
    return presentChild(ctx, child);
  }

  async search(ctx: AccessContext, query: ChildSearchQuery): Promise<Page<ChildDto>> {
    const limit = query.limit ?? 25;
    const q = query.q !== undefined ? normaliseName(query.q) : '';
    const paths = searchPaths(ctx.ability, 'read');
    const found = await this.db.transaction(async (tx) => {
      await this.repo.tuneSearch(tx);
      const page =
        q && paths && !query.dateOfBirth && !query.identifier
          ? await this.searchByName(tx, ctx, paths, q, limit, query.cursor)
          : await this.searchChildren(tx, ctx, query, q, limit);
      // Every child a search returned is on that child's access log.
      await this.access.record(
        tx,
        ctx,
        'child.search',
        page.data.map((r) => r.id),
        'allowed',
        {
          details: {
            filters: sentKeys(query).filter((k) => !['limit', 'cursor'].includes(k)),
            count: page.data.length,
          },
        },
      );
      return page;
    });
    return { data: found.data.map((r) => this.present(ctx, r)), nextCursor: found.nextCursor };
  }

  /** A name search through the organisation's own name index (see ChildrenRepository.nameIndexPage). */
  private searchByName(
    tx: EntityManager,
    ctx: AccessContext,
    paths: SearchPaths,
    q: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<LoadedChild>> {
    return this.repo.nameIndexPage(tx, ctx, paths, q, limit, cursor, this.clock.now());
  }

  /** Any search on the child table itself, scoped in SQL (see ChildrenRepository.searchPage). */
  private searchChildren(
    tx: EntityManager,
    ctx: AccessContext,
    query: ChildSearchQuery,
    q: string,
    limit: number,
  ): Promise<Page<LoadedChild>> {
    return this.repo.searchPage(tx, ctx, query, q, limit, this.clock.now());
  }

  async create(ctx: AccessContext, dto: CreateChildDto): Promise<ChildDto> {
    this.matching.checkRegistration(ctx, dto);
    // One transaction: the match check and the registration see the same world (two registrations
    // of the same child at once queue on the identity lock); a refused one commits its match
    // reference and notices, then answers 409.
    const outcome = await this.db.transaction(async (tx) => {
      await this.matching.lockIdentity(tx, dto);
      const match = await this.matching.judgeMatch(tx, ctx, dto);
      if (match.kind !== 'none' && match.kind !== 'restricted') return match;
      const childId = await this.matching.register(tx, ctx, dto);
      if (match.kind === 'restricted') await this.collaboration.tellCaseTeam(tx, match.childId);
      return { kind: 'created' as const, childId };
    });
    if (outcome.kind === 'visible') throw ChildError.alreadyRegistered(outcome.childId);
    if (outcome.kind === 'hidden') throw ChildError.possibleMatch(outcome.reference, outcome.heldBy);
    return this.db.transaction(async (tx) =>
      this.present(ctx, await this.access.require(tx, ctx, outcome.childId, { details: true })),
    );
  }

  async update(ctx: AccessContext, id: string, expectedVersion: number, dto: UpdateChildDto): Promise<ChildDto> {
    await this.db.transaction(async (tx) => {
      // Only those who may change the record find it here: a disclosure, triage or inspection is read-only.
      const child = await this.access.require(tx, ctx, id, { action: 'update', lock: true });
      if (child.version !== expectedVersion) throw ChildError.stale(child.version);
      const changing = sentKeys(dto);
      const allowed = new Set(permittedFields(ctx.ability, 'update', 'Child', child));
      // caseTeamUserIds travels with the restricted flag: the same people may set both.
      const refused = changing.filter((f) => !allowed.has(f === 'caseTeamUserIds' ? 'restricted' : f));
      if (refused.length) throw ChildError.fieldsForbidden(refused);
      await this.checkRestriction(tx, dto, child);

      const entity = await this.repo.entityOf(tx, id);
      const { caseTeamUserIds, ...fields } = dto;
      Object.assign(entity, fields);
      entity.searchName = searchNameOf(entity);
      entity.nameKey = nameKeyOf(entity);
      if (!entity.dateOfBirth && !entity.expectedDateOfBirth) {
        throw DomainError.validation([
          { field: 'dateOfBirth', message: 'dateOfBirth or expectedDateOfBirth is required' },
        ]);
      }
      const dates = birthDateErrors(dto, this.clock.now());
      if (dates.length) throw DomainError.validation(dates);
      await this.repo.save(tx, entity);
      if (caseTeamUserIds !== undefined) {
        await this.repo.replaceCaseTeam(tx, id, caseTeamUserIds);
      }
      await this.access.record(tx, ctx, 'child.update', [id], 'allowed', { details: { fields: changing } });
    });
    return this.db.transaction(async (tx) =>
      this.present(ctx, await this.access.require(tx, ctx, id, { details: true })),
    );
  }

  private async checkRestriction(tx: EntityManager, dto: UpdateChildDto, child: LoadedChild): Promise<void> {
    const restricting = dto.restricted ?? child.restricted;
    const team = dto.caseTeamUserIds ?? child.caseTeamUserIds;
    const errors: FieldError[] = [];
    if (restricting && team.length === 0) {
      errors.push({ field: 'caseTeamUserIds', message: 'a restricted record needs a named case team' });
    }
    if (dto.caseTeamUserIds?.length) {
      if ((await this.repo.countActiveUsers(tx, dto.caseTeamUserIds)) !== dto.caseTeamUserIds.length) {
        errors.push({ field: 'caseTeamUserIds', message: 'caseTeamUserIds must all be active users' });
      }
    }
    if (errors.length) throw DomainError.validation(errors);
  }

  async addAddress(ctx: AccessContext, id: string, dto: AddressDto): Promise<ChildDto> {
    await this.db.transaction(async (tx) => {
      const child = await this.access.require(tx, ctx, id, { action: 'update' });
      // Judged by the child's relations, as the policy's conditions on addresses are written.
      if (!can(ctx.ability, 'create', 'ChildAddress', { childId: id, ...childRelations(child) }))
        throw DomainError.forbidden('You may not add addresses.');
      // Additions to one child in turn, so two at once cannot pass the count together.
      const held = await this.repo.lockAddressCount(tx, id);
      if (held >= MAX_ADDRESSES_PER_CHILD) throw ChildError.tooManyAddresses(MAX_ADDRESSES_PER_CHILD);
      await this.repo.insertAddress(tx, id, ctx.actor.organisationId, dto);
      await this.access.record(tx, ctx, 'child.address_added', [id], 'allowed', {
        details: { confidential: dto.confidential ?? false },
      });
    });
    return this.db.transaction(async (tx) =>
      this.present(ctx, await this.access.require(tx, ctx, id, { details: true })),
    );
  }
}
