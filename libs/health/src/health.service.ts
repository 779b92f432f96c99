import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { abilityToSql, type AccessContext, columnsFrom, rolesAllowed } from '@app/access';
import { Events, Notifier, SharedRecord } from '@app/casework';
import { validateIdentifier } from '@app/children';
import { Clock, decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import { ProtectionLookup, type ProtectionStatus } from './health.entity';
import type { LookupQuery, ProtectionLookupDto, ProtectionStatusDto } from './health.dto';

/** Children's services' plan status (their section) -> the look-up's answer; anything else is none known. */
const STATUS_OF_PLAN: Record<string, Exclude<ProtectionStatus, 'NONE_KNOWN'>> = {
  child_protection_plan: 'CHILD_PROTECTION_PLAN',
  looked_after: 'LOOKED_AFTER',
  unborn_child_protection_plan: 'UNBORN_CHILD_PROTECTION_PLAN',
};
const COUNCIL_READERS = rolesAllowed('read', 'ProtectionLookup');

interface PlanRow {
  childId: string;
  restricted: boolean;
  plan: string;
  councilId: string;
  planStartDate: string | null;
  councilName: string;
  contactTeam: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
}

/**
 * The protection-status look-up (the CP-IS pattern): a health practitioner learns one of four
 * answers and which council to call, from children's services' own record of the plan only (so it
 * can never reveal police involvement). Every look-up is kept, and the council is told at once.
 */
@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly events: Events,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  async lookUp(ctx: AccessContext, rawNhsNumber: string): Promise<ProtectionStatusDto> {
    const nhs = validateIdentifier('nhs_number', rawNhsNumber ?? '');
    if (!nhs.valid) throw DomainError.validation([{ field: 'nhsNumber', message: nhs.reason }]);
    return this.db.transaction(async (tx) => {
      const plans = await this.record.plansByNhsNumber(tx, nhs.value, Object.keys(STATUS_OF_PLAN));
      const rows: PlanRow[] = [];
      for (const p of plans) {
        // The council and its front door (name, phone, mailbox), from identity's directory: one statement.
        const [council] = await namedQuery<{
          name: string;
          contactTeam: string | null;
          contactPhone: string | null;
          contactEmail: string | null;
        }>(
          tx,
          `SELECT o.name, t.name AS "contactTeam", t.contact_phone AS "contactPhone", t.contact_email AS "contactEmail"
             FROM organisation o
             LEFT JOIN LATERAL (SELECT name, contact_phone, contact_email FROM team
                                 WHERE organisation_id = o.id AND function = 'mash' ORDER BY name LIMIT 1) t ON true
            WHERE o.id = :id`,
          { id: p.councilId },
        );
        rows.push({
          ...p,
          councilName: council!.name,
          contactTeam: council!.contactTeam,
          contactPhone: council!.contactPhone,
          contactEmail: council!.contactEmail,
        });
      }
      // A restricted child answers exactly as an unknown one; only its case team hears of the look-up.
      for (const r of rows.filter((x) => x.restricted)) {
        await this.record.tellCaseTeam(tx, r.childId, {
          kind: 'protection_status.looked_up',
          message: 'A health practitioner looked up the protection status of a restricted child on your case team.',
        });
      }
      const found = rows.find((r) => !r.restricted);
      const status: ProtectionStatus = found ? STATUS_OF_PLAN[found.plan]! : 'NONE_KNOWN';
      const now = this.clock.now();
      const lookup = await tx.getRepository(ProtectionLookup).save(
        tx.getRepository(ProtectionLookup).create({
          nhsNumber: nhs.value,
          childId: found?.childId ?? null,
          status,
          councilOrganisationId: found?.councilId ?? null,
          organisationId: ctx.actor.organisationId,
          userId: ctx.actor.id,
          purpose: ctx.purpose,
          lookedUpAt: now,
        }),
      );
      if (found) {
        await this.notifier.send(
          tx,
          { organisationId: found.councilId, roles: COUNCIL_READERS },
          {
            kind: 'protection_status.looked_up',
            subjectType: 'ProtectionLookup',
            subjectId: lookup.id,
            message: 'A health practitioner looked up the protection status of one of your children.',
          },
        );
        const by = (
          await namedQuery<{ name: string }>(tx, 'SELECT name FROM organisation WHERE id = :id', {
            id: ctx.actor.organisationId,
          })
        )[0]!;
        await this.events.emit(
          tx,
          'health.protection_status.looked_up',
          {
            lookupId: lookup.id,
            childId: found.childId,
            status,
            by: { organisationId: ctx.actor.organisationId, organisationName: by.name },
            lookedUpAt: now.toISOString(),
          },
          { organisationId: found.councilId },
        );
      }
      await this.record.recordStep(
        tx,
        ctx,
        'protection_status.lookup',
        'ProtectionLookup',
        [lookup.id],
        found?.childId ?? null,
        { status },
      );
      return {
        status,
        council: found
          ? {
              id: found.councilId,
              name: found.councilName,
              contactTeam: found.contactTeam,
              contactPhone: found.contactPhone,
              contactEmail: found.contactEmail,
            }
          : null,
        // As children's services recorded it on their section (null if they did not): never guessed.
        planStartDate: found?.planStartDate ?? null,
        lookupId: lookup.id,
      };
    });
  }

  /** The council's view: the latest look-ups of its children (25 by default), then the history by cursor. */
  async lookups(ctx: AccessContext, q: LookupQuery): Promise<Page<ProtectionLookupDto>> {
    const limit = q.limit ?? 25;
    return this.db.transaction(async (tx) => {
      const fields = columnsFrom(tx.getRepository(ProtectionLookup).metadata, 'l');
      const scope = abilityToSql(ctx.ability, 'read', 'ProtectionLookup', fields, 'pl');
      const where = [scope.sql, 'l.child_id IS NOT NULL'];
      const params: Record<string, unknown> = { ...scope.params, limit: limit + 1 };
      if (q.childId) {
        where.push('l.child_id = :childId');
        params.childId = q.childId;
      }
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        Object.assign(params, { ct: new Date(after[0]), ci: after[1] });
        where.push('(l.looked_up_at, l.id) < (:ct, :ci)');
      }
      const rows = await namedQuery<ProtectionLookupDto>(
        tx,
        `SELECT l.id, l.child_id AS "childId", l.status, l.organisation_id AS "organisationId", o.name AS "organisationName",
                l.user_id AS "userId", l.purpose, l.looked_up_at AS "lookedUpAt"
           FROM protection_status_lookup l JOIN organisation o ON o.id = l.organisation_id
          WHERE ${where.join(' AND ')} ORDER BY l.looked_up_at DESC, l.id DESC LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(r.lookedUpAt).toISOString(), r.id]);
      await this.record.recordList(
        tx,
        ctx,
        'protection_status.lookups',
        'ProtectionLookup',
        page.data.map((r) => ({ id: r.id, childId: r.childId })),
        { count: page.data.length },
      );
      return page;
    });
  }
}
