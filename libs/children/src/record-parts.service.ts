import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  abilityToSql,
  accessLogOrganisation,
  type AccessContext,
  can,
  filterFields,
  permittedFields,
  rolesAllowed,
} from '@app/access';
import { type AccessLogEntry, AuditService } from '@app/audit';
import { Notifier } from '@app/casework';
import {
  APP_CONFIG,
  type AppConfig,
  Clock,
  DomainError,
  type OrganisationType,
  type Page,
  sentKeys,
} from '@app/platform';
import { multiAgencyByDefault } from './chronology.entity';
import { ChildError } from './children.errors';
import type {
  AccessLogPage,
  BreakGlassResponse,
  ChronologyEntryDto,
  CreateChronologyEntryDto,
  PutSectionDto,
  SectionDto,
} from './children.dto';
import { ChildAccess } from './child-access.service';
import { childRelations, viaBreakGlass } from './child-rules';
import { RecordPartsRepository } from './record-parts.repository';
import type { AgencySection } from './section.entity';

/** Which section fields belong to which kind of agency. */
export const SECTION_FIELDS: Record<AgencySection['agencyType'], (keyof PutSectionDto)[]> = {
  police_force: ['markers', 'intelligenceNotes'],
  local_authority: ['legalStatus', 'allocatedWorkerId', 'planStatus'],
  school: ['schoolName', 'yearGroup', 'attendancePercent', 'exclusions', 'safeguardingNotes'],
  health: ['gpPractice', 'healthNotes', 'sexualHealthNotes'],
};

/** Who is told of a break-glass opening: the lead agency's people who read who looked at a record. */
const BREAK_GLASS_AUDIENCE = rolesAllowed('read', 'AccessLog').filter((r) => r !== 'inspector');

const sectionView = (s: AgencySection): Record<string, unknown> => ({
  ...s,
  attendancePercent: s.attendancePercent === null ? null : Number(s.attendancePercent),
});

/** The parts of a child's record around the core: agency sections, chronology, access log, break-glass. */
@Injectable()
export class RecordPartsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly children: ChildAccess,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
    private readonly parts: RecordPartsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Classes each organisation disclosed to the actor's organisation about this child, live now. */
  private grantsByOrganisation(tx: EntityManager, ctx: AccessContext, childId: string) {
    return this.parts.grantsByOrganisation(tx, childId, ctx.actor.organisationId, this.clock.now());
  }

  async getSection(ctx: AccessContext, childId: string, organisationId: string): Promise<SectionDto> {
    const outcome = await this.db.transaction(async (tx) => {
      const child = await this.children.require(tx, ctx, childId);
      const found = await this.parts.findSection(tx, childId, organisationId);
      // The classes of this section disclosed to the actor's organisation by live grants.
      const grantedClasses = (await this.grantsByOrganisation(tx, ctx, childId)).get(organisationId) ?? [];
      const section = found ? { ...sectionView(found), grantedClasses, ...childRelations(child) } : null;
      // Another agency's section without a grant is as invisible as a missing one.
      if (!found || !section || !can(ctx.ability, 'read', 'ChildSection', section)) {
        await this.children.record(tx, ctx, 'section.read', [childId], 'not_found', { subjectType: 'ChildSection' });
        return null;
      }
      await this.children.record(tx, ctx, 'section.read', [childId], 'allowed', {
        subjectType: 'ChildSection',
        subjectIds: [found.id],
        breakGlass: viaBreakGlass(ctx, child),
        details:
          grantedClasses.length && found.organisationId !== ctx.actor.organisationId
            ? { underGrant: grantedClasses, grantors: [found.organisationId] }
            : {},
      });
      return filterFields(ctx.ability, 'ChildSection', section) as unknown as SectionDto;
    });
    // Thrown after the transaction, so that the refused look-up stays on the record.
    if (outcome === null) throw ChildError.sectionNotFound();
    return outcome;
  }

  async putSection(
    ctx: AccessContext,
    childId: string,
    organisationId: string,
    ifMatch: number | null,
    dto: PutSectionDto,
  ): Promise<SectionDto> {
    return this.db.transaction(async (tx) => {
      const child = await this.children.require(tx, ctx, childId, { action: 'update' });
      if (!can(ctx.ability, 'update', 'ChildSection', { childId, organisationId, ...childRelations(child) })) {
        throw DomainError.forbidden("You may write only your own organisation's section.");
      }
      const agencyType = await this.parts.organisationType(tx, organisationId);
      if (!agencyType || agencyType === 'oversight')
        throw DomainError.forbidden('This organisation keeps no agency section.');
      const own = new Set<string>(SECTION_FIELDS[agencyType]);
      const foreign = sentKeys(dto).filter((k) => !own.has(k));
      if (foreign.length) {
        throw DomainError.validation(
          foreign.map((f) => ({ field: f, message: `${f} is not part of a ${agencyType} section` })),
        );
      }
      let section = await this.parts.lockSection(tx, childId, organisationId);
      if (section) {
        if (ifMatch === null) throw DomainError.preconditionRequired('Send If-Match with the ETag you last read.');
        if (section.version !== ifMatch) throw ChildError.stale(section.version);
      } else if (ifMatch !== null) {
        // If-Match names a version of something that does not exist yet.
        throw DomainError.preconditionFailed('There is no section yet; send no If-Match to create it.');
      } else {
        section = this.parts.newSection(tx, { childId, organisationId, agencyType, markers: [] });
      }
      // PUT replaces the whole section: fields not sent are cleared, except those the writer may not
      // read (sexual health, for a practitioner who is not a named nurse): they record them, write-only,
      // and never clear what they cannot see.
      const readable = new Set(
        permittedFields(ctx.ability, 'read', 'ChildSection', {
          childId,
          organisationId,
          agencyType,
          grantedClasses: [],
          ...childRelations(child),
        }),
      );
      for (const field of own) {
        const value = (dto as Record<string, unknown>)[field];
        if (value === undefined && !readable.has(field)) continue;
        (section as unknown as Record<string, unknown>)[field] =
          value === undefined
            ? field === 'markers'
              ? []
              : null
            : field === 'attendancePercent'
              ? String(value)
              : value;
      }
      const fresh = await this.parts.saveSection(tx, section);
      await this.children.record(tx, ctx, 'section.update', [childId], 'allowed', {
        subjectType: 'ChildSection',
        subjectIds: [fresh.id],
        details: { fields: sentKeys(dto) },
      });
      return filterFields(ctx.ability, 'ChildSection', sectionView(fresh)) as unknown as SectionDto;
    });
  }

  /**
   * A child's chronology, newest first: every entry the actor may see (`all`), or the merged
   * multi-agency chronology (`multi-agency`): the safeguarding events each agency working with the
   * child recorded for it, with the recording agency on every line. Scoped in SQL by the entry
   * rules; each row then shows the fields its rule grants (a summary, or the whole entry).
   */
  async chronology(
    ctx: AccessContext,
    childId: string,
    limit: number,
    cursor?: string,
    view: 'all' | 'multi-agency' = 'all',
  ): Promise<Page<ChronologyEntryDto>> {
    return this.db.transaction(async (tx) => {
      const child = await this.children.require(tx, ctx, childId);
      const now = this.clock.now();
      const page = await this.parts.chronologyPage(
        tx,
        childId,
        (resolve) => abilityToSql(ctx.ability, 'read', 'ChronologyEntry', resolve, 'ce'),
        { limit, cursor, multiAgencyOnly: view === 'multi-agency', now, organisationId: ctx.actor.organisationId },
      );
      const relations = childRelations(child);
      const grants = await this.grantsByOrganisation(tx, ctx, childId);
      const data = page.data.map(
        (row) =>
          filterFields(ctx.ability, 'ChronologyEntry', {
            ...row,
            ...relations,
            grantedClasses: grants.get(row.organisationId) ?? [],
          }) as unknown as ChronologyEntryDto,
      );
      await this.children.record(tx, ctx, 'chronology.read', [childId], 'allowed', {
        subjectType: 'ChronologyEntry',
        subjectIds: page.data.map((r) => r.id),
        breakGlass: viaBreakGlass(ctx, child),
        ...(view === 'multi-agency' ? { details: { view } } : {}),
      });
      return { data, nextCursor: page.nextCursor };
    });
  }

  async addChronologyEntry(
    ctx: AccessContext,
    childId: string,
    dto: CreateChronologyEntryDto,
  ): Promise<ChronologyEntryDto> {
    return this.db.transaction(async (tx) => {
      const child = await this.children.require(tx, ctx, childId, { action: 'update' });
      const candidate = {
        childId,
        organisationId: ctx.actor.organisationId,
        sensitivity: dto.sensitivity,
        ...childRelations(child),
      };
      if (!can(ctx.ability, 'create', 'ChronologyEntry', candidate)) {
        throw DomainError.forbidden(`You may not record ${dto.sensitivity} entries.`);
      }
      const now = this.clock.now();
      const occurredAt = new Date(dto.occurredAt);
      if (occurredAt.getTime() > now.getTime() + 5 * 60_000) {
        throw DomainError.validation([{ field: 'occurredAt', message: 'occurredAt must not be in the future' }]);
      }
      const entry = await this.parts.insertChronologyEntry(tx, {
        childId,
        organisationId: ctx.actor.organisationId,
        authorId: ctx.actor.kind === 'user' ? ctx.actor.id : null,
        occurredAt,
        recordedAt: now,
        category: dto.category,
        summary: dto.summary,
        detail: dto.detail ?? null,
        sensitivity: dto.sensitivity,
        shareable: dto.shareable,
        multiAgency: dto.multiAgency ?? multiAgencyByDefault(dto.category, dto.sensitivity),
      });
      await this.children.record(tx, ctx, 'chronology.create', [childId], 'allowed', {
        subjectType: 'ChronologyEntry',
        subjectIds: [entry.id],
      });
      return { ...entry, organisationName: await this.parts.organisationName(tx, entry.organisationId) };
    });
  }

  /**
   * Who looked at the record. The tipping-off rules decide what a reader sees of other
   * organisations: inspectors and data protection officers see everything; others see their own
   * organisation's accesses in full and other organisations' successful ones as organisation and
   * time, a police force or health provider of another kind unnamed.
   */
  async accessLog(ctx: AccessContext, childId: string, limit: number, cursor?: string): Promise<AccessLogPage> {
    return this.db.transaction(async (tx) => {
      const child = await this.children.require(tx, ctx, childId);
      if (!can(ctx.ability, 'read', 'AccessLog', childRelations(child))) {
        throw DomainError.forbidden('You may read the access log of children your organisation works with.');
      }
      // Reading who looked is itself a look: recorded before the log is read.
      await this.children.record(tx, ctx, 'access_log.read', [childId], 'allowed', { subjectType: 'AccessLog' });
      const full = ctx.ability.can('read', 'AccessLogDetail');
      const page = await this.audit.accessLog(
        childId,
        limit,
        cursor,
        tx,
        full ? {} : { onlyOwnFailures: ctx.actor.organisationId },
      );
      if (full) return page as AccessLogPage;
      return { data: page.data.map((e) => this.redact(ctx, e)), nextCursor: page.nextCursor } as AccessLogPage;
    });
  }

  /** Another organisation's access as the tipping-off rules let this reader see it. */
  private redact(ctx: AccessContext, e: AccessLogEntry) {
    // Its own accesses, and what others read under its own disclosures, an organisation sees in full.
    if (e.organisation.id === ctx.actor.organisationId || e.underGrantFrom?.includes(ctx.actor.organisationId))
      return e;
    const shown = accessLogOrganisation(ctx.actor, {
      organisationType: (e.organisation.type ?? 'oversight') as OrganisationType,
    });
    return {
      seq: e.seq,
      at: e.at,
      breakGlass: e.breakGlass,
      organisation:
        shown === 'named'
          ? { id: e.organisation.id, name: e.organisation.name, type: e.organisation.type }
          : { id: null, name: shown, type: e.organisation.type },
    };
  }

  /**
   * Emergency access outside need-to-know: time-limited, reason recorded, audited as break-glass,
   * and the organisations leading the child's case are told at once.
   */
  async breakGlass(ctx: AccessContext, childId: string, reason: string): Promise<BreakGlassResponse> {
    return this.db.transaction(async (tx) => {
      const restricted = await this.parts.lockChildRestricted(tx, childId);
      // A restricted child stays with its case team: break-glass cannot open it, and says so as a 404.
      if (restricted !== false || ctx.actor.kind !== 'user') {
        await this.children.record(tx, ctx, 'break_glass.open', [childId], 'not_found', { breakGlass: true });
        throw ChildError.notFound();
      }
      const now = this.clock.now();
      const expiresAt = new Date(now.getTime() + this.config.breakGlassMinutes * 60_000);
      const grant = await this.parts.insertBreakGlass(tx, {
        childId,
        userId: ctx.actor.id,
        organisationId: ctx.actor.organisationId,
        reason,
        grantedAt: now,
        expiresAt,
      });
      // The lead agency is told (children's services once it leads); without one, the organisation
      // that registered the child.
      const leads = await this.parts.leadOrRegistrant(tx, childId, now);
      const actorOrg = (await this.parts.organisationName(tx, ctx.actor.organisationId)) || 'another organisation';
      for (const organisationId of leads) {
        await this.notifier.send(
          tx,
          { organisationId, roles: BREAK_GLASS_AUDIENCE },
          {
            kind: 'child.break_glass',
            subjectType: 'Child',
            subjectId: childId,
            message: `Break-glass access to a child your organisation leads on, by a user of ${actorOrg}, until ${expiresAt.toISOString()}.`,
          },
        );
      }
      await this.children.record(tx, ctx, 'break_glass.open', [childId], 'allowed', {
        subjectType: 'BreakGlass',
        subjectIds: [grant.id],
        breakGlass: true,
        details: {
          grantId: grant.id,
          expiresAt: expiresAt.toISOString(),
          notified: leads,
        },
      });
      return { grantId: grant.id, childId, expiresAt };
    });
  }
}
