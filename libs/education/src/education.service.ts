import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, can, columnsFrom, rolesAllowed } from '@app/access';
import { Deadlines, type DeadlineSubject, Events, Notifier, requireScoped, SharedRecord } from '@app/casework';
import { childHiddenField, validateIdentifier } from '@app/children';
import { ConcernsService, type ConcernDto } from '@app/referrals';
import {
  Clock,
  decodeCursor,
  DomainError,
  londonDateString,
  namedQuery,
  type Page,
  refuseClearing,
  toPage,
} from '@app/platform';
import { FILE_TRANSFER_SCHOOL_DAYS } from './education.clocks';
import { FileTransfer, Pupil, SafeguardingAction, SchoolClosureDay, type TransferStatus } from './education.entity';
import { EducationError } from './education.errors';
import type {
  AddActionDto,
  AddPupilDto,
  ClosureDayDto,
  ClosureDaysDto,
  CreateTransferDto,
  FileTransferDto,
  FileTransferSummaryDto,
  PupilConcernDto,
  PupilDto,
  PupilListQuery,
  SafeguardingActionDto,
  SafeguardingFileDto,
  TransferInboxQuery,
  UpdatePupilDto,
} from './education.dto';
import { schoolDaysDeadline } from './school-days';

/** The one move of a file transfer: its recipient confirms receipt. */
const TRANSFER_MOVES: Record<TransferStatus, TransferStatus[]> = {
  SENT: ['RECEIVED'],
  CHILD_MISSING_EDUCATION: ['RECEIVED'],
  RECEIVED: [],
};

const transferClock = (id: string): DeadlineSubject => ({ type: 'FileTransfer', id });
const RECEIVERS = rolesAllowed('receive', 'FileTransfer');
const SENDERS = rolesAllowed('create', 'FileTransfer');

type PupilRow = PupilDto & {
  organisationId: string;
  childId: string;
  upn: string;
  version: number;
  dateOfBirth: string | null;
};

const PUPIL_COLUMNS = `p.id, p.organisation_id AS "organisationId", p.child_id AS "childId", p.upn, p.year_group AS "yearGroup",
  to_char(p.on_roll_from, 'YYYY-MM-DD') AS "onRollFrom", to_char(p.left_on, 'YYYY-MM-DD') AS "leftOn", p.version,
  p.given_name AS "givenName", p.family_name AS "familyName", to_char(p.date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth"`;

const TRANSFER_COLUMNS = `x.id, x.status, x.destination, x.child_id AS "childId", x.pupil_id AS "pupilId",
  to_char(x.moved_on, 'YYYY-MM-DD') AS "movedOn", x.sent_at AS "sentAt", x.due_at AS "dueAt", x.received_at AS "receivedAt",
  x.version, x.file, x.to_organisation_id AS "toOrganisationId", x.from_organisation_id AS "fromOrganisationId",
  json_build_object('id', fo.id, 'name', fo.name) AS "from",
  CASE WHEN tor.id IS NULL THEN NULL ELSE json_build_object('id', tor.id, 'name', tor.name) END AS "to",
  CASE WHEN co.id IS NULL THEN NULL ELSE json_build_object('id', co.id, 'name', co.name) END AS council,
  (x.received_at IS NULL AND x.due_at < :now) AS overdue`;
const TRANSFER_FROM = `safeguarding_file_transfer x JOIN organisation fo ON fo.id = x.from_organisation_id
  LEFT JOIN organisation tor ON tor.id = x.to_organisation_id LEFT JOIN organisation co ON co.id = x.council_organisation_id`;

/** Who a pupil is, as the school knows it. */
interface PupilName {
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
}

type TransferRow = FileTransferDto & {
  childId: string;
  pupilId: string;
  toOrganisationId: string | null;
  fromOrganisationId: string;
};

/**
 * The school module: the roll, staff concerns on a pupil named by id, the DSL's safeguarding file,
 * and the file's transfer on a move under a school-day clock. Each step checks the policy in SQL,
 * and writes its chronology entry, audit event, notifications and events in one transaction.
 */
@Injectable()
export class EducationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly referrals: ConcernsService,
  ) {}

  // ---------- the roll ----------

  async addPupil(ctx: AccessContext, dto: AddPupilDto): Promise<PupilDto> {
    const upn = validateIdentifier('upn', dto.upn);
    if (!upn.valid) throw EducationError.badUpn(upn.reason);
    return this.db.transaction(async (tx) => {
      const known = await this.knownAs(tx, ctx, dto);
      const onRollFrom = dto.onRollFrom ?? londonDateString(this.clock.now());
      const id = await this.putOnRoll(tx, ctx.actor.organisationId, known.childId, upn.value, {
        ...known.who,
        yearGroup: dto.yearGroup ?? null,
        onRollFrom,
        by: ctx.actor.id,
      });
      const childId = known.childId;
      await this.events.emit(
        tx,
        'education.pupil.added',
        { pupilId: id, childId, organisationId: ctx.actor.organisationId, onRollFrom },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.addEntry(tx, ctx, childId, {
        category: 'education',
        summary: 'Joined the school roll.',
        shareable: true,
        multiAgency: false,
      });
      await this.record.recordStep(tx, ctx, 'pupil.add', 'Pupil', [id], childId);
      return this.present(ctx, await this.loadPupil(tx, ctx, id, 'read'));
    });
  }

  /**
   * The child, and who the pupil is as the school knows it: the details it gave, else the record's as
   * the school may read them. A school that names a child it works with but may not read the name of
   * gives the name itself (400 naming the field otherwise).
   */
  private async knownAs(
    tx: EntityManager,
    ctx: AccessContext,
    dto: AddPupilDto,
  ): Promise<{ childId: string; who: PupilName }> {
    if (!dto.childId) {
      const childId = await this.record.findOrRegister(
        tx,
        ctx,
        {
          givenName: dto.givenName ?? null,
          familyName: dto.familyName ?? null,
          dateOfBirth: dto.dateOfBirth ?? null,
          ...(dto.nhsNumber ? { nhsNumber: dto.nhsNumber } : {}),
        },
        '',
      );
      // findOrRegister refused missing details: the three are there.
      return {
        childId,
        who: { givenName: dto.givenName!, familyName: dto.familyName!, dateOfBirth: dto.dateOfBirth ?? null },
      };
    }
    const child = await this.record.requireChild(tx, ctx, dto.childId, { working: true });
    const onRecord = this.record.identityOf(ctx, child);
    const who = {
      givenName: dto.givenName ?? onRecord.givenName,
      familyName: dto.familyName ?? onRecord.familyName,
      dateOfBirth: dto.dateOfBirth ?? onRecord.dateOfBirth ?? null,
    };
    const missing = (['givenName', 'familyName'] as const).filter((f) => !who[f]);
    if (missing.length) {
      throw DomainError.validation(
        missing.map((field) => ({
          field,
          message: `${field} is required: the record does not show it to your school`,
        })),
      );
    }
    return { childId: child.id, who: who as PupilName };
  }

  private async putOnRoll(
    tx: EntityManager,
    organisationId: string,
    childId: string,
    upn: string,
    opts: PupilName & { yearGroup: string | null; onRollFrom: string; by: string },
  ): Promise<string> {
    const rows = await namedQuery<{ id: string }>(
      tx,
      `INSERT INTO pupil (organisation_id, child_id, upn, given_name, family_name, date_of_birth, year_group, on_roll_from)
       VALUES (:organisationId, :childId, :upn, :givenName, :familyName, :dateOfBirth, :yearGroup, :onRollFrom)
       ON CONFLICT (organisation_id, child_id) WHERE left_on IS NULL DO NOTHING RETURNING id`,
      {
        organisationId,
        childId,
        upn,
        givenName: opts.givenName,
        familyName: opts.familyName,
        dateOfBirth: opts.dateOfBirth,
        yearGroup: opts.yearGroup,
        onRollFrom: opts.onRollFrom,
      },
    );
    if (!rows[0]) throw EducationError.alreadyOnRoll();
    await this.record.involve(tx, childId, organisationId, 'statutory', 'On the school roll', opts.by);
    return rows[0].id;
  }

  async listPupils(ctx: AccessContext, q: PupilListQuery): Promise<Page<PupilDto>> {
    const limit = q.limit ?? 50;
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', 'Pupil', this.pupilFields(tx), 'pp');
      const where = [scope.sql, 'p.organisation_id = :org', 'p.left_on IS NULL'];
      const params: Record<string, unknown> = { ...scope.params, org: ctx.actor.organisationId, limit: limit + 1 };
      if (q.familyName) {
        where.push(`lower(p.family_name) LIKE :prefix`);
        params.prefix = `${q.familyName.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      }
      const after = decodeCursor(q.cursor, ['text', 'text', 'uuid']);
      if (after) {
        Object.assign(params, { cf: after[0], cg: after[1], ci: after[2] });
        where.push('(p.family_name, p.given_name, p.id) > (:cf, :cg, :ci)');
      }
      const rows = await namedQuery<PupilRow>(
        tx,
        `SELECT ${PUPIL_COLUMNS} FROM pupil p WHERE ${where.join(' AND ')}
          ORDER BY p.family_name, p.given_name, p.id LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [r.familyName, r.givenName, r.id]);
      await this.record.recordList(
        tx,
        ctx,
        'pupil.list',
        'Pupil',
        page.data.map((r) => ({ id: r.id, childId: r.childId })),
        { count: page.data.length },
      );
      return { data: page.data.map((r) => this.present(ctx, r)), nextCursor: page.nextCursor };
    });
  }

  async getPupil(ctx: AccessContext, id: string): Promise<PupilDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadPupil(tx, ctx, id, 'read');
      await this.record.recordStep(tx, ctx, 'pupil.read', 'Pupil', [id], row.childId);
      return this.present(ctx, row);
    });
  }

  /**
   * The DSL corrects who the pupil is on the roll (If-Match). The roll's own copy only: the shared
   * record is corrected by whoever holds it. Audited with the fields changed, never their values.
   */
  async updatePupil(ctx: AccessContext, id: string, expectedVersion: number, dto: UpdatePupilDto): Promise<PupilDto> {
    refuseClearing(dto, ['givenName', 'familyName']);
    const fields = (['givenName', 'familyName', 'dateOfBirth', 'yearGroup'] as const).filter(
      (f) => dto[f] !== undefined,
    );
    if (!fields.length) {
      throw DomainError.validation([
        { field: 'body', message: 'give at least one of givenName, familyName, dateOfBirth, yearGroup' },
      ]);
    }
    return this.db.transaction(async (tx) => {
      const row = await this.loadPupil(tx, ctx, id, 'update', 'Pupil', true);
      if (row.version !== expectedVersion) {
        throw DomainError.preconditionFailed(`The pupil has changed (version ${row.version}); reload and retry.`);
      }
      const columns = {
        givenName: 'given_name',
        familyName: 'family_name',
        dateOfBirth: 'date_of_birth',
        yearGroup: 'year_group',
      };
      await namedQuery(
        tx,
        `UPDATE pupil SET ${fields.map((f) => `${columns[f]} = :${f}`).join(', ')}, version = version + 1 WHERE id = :id`,
        { id, ...Object.fromEntries(fields.map((f) => [f, dto[f]])) },
      );
      await this.record.recordStep(tx, ctx, 'pupil.update', 'Pupil', [id], row.childId, { fields });
      return this.present(ctx, await this.loadPupil(tx, ctx, id, 'read'));
    });
  }

  /** Staff see who the pupil is; the UPN, the child's id and the version are the DSL's. */
  private present(ctx: AccessContext, row: PupilRow): PupilDto {
    const { organisationId: _o, childId, upn, version, dateOfBirth: _d, ...who } = row;
    return can(ctx.ability, 'read', 'SchoolFile', row) ? { ...who, upn, childId, version } : who;
  }

  private pupilFields(tx: EntityManager) {
    return columnsFrom(tx.getRepository(Pupil).metadata, 'p', { childHiddenFrom: childHiddenField('p.child_id') });
  }

  private async loadPupil(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read' | 'update',
    subject: 'Pupil' | 'SchoolFile' = 'Pupil',
    lock = false,
  ): Promise<PupilRow> {
    return requireScoped<PupilRow>(tx, ctx, {
      action,
      subject,
      fields: this.pupilFields(tx),
      prefix: 'pp',
      sql: (scope) =>
        `SELECT ${PUPIL_COLUMNS} FROM pupil p
          WHERE p.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF p' : ''}`,
      params: { id },
      notFound: EducationError.pupilNotFound,
    });
  }

  // ---------- concerns on a pupil ----------

  /** A teacher's concern naming a pupil on the roll: the teacher never reads the record. */
  async logConcern(ctx: AccessContext, pupilId: string, dto: PupilConcernDto): Promise<ConcernDto> {
    const pupil = await this.db.transaction((tx) => this.loadPupil(tx, ctx, pupilId, 'read'));
    if (pupil.leftOn) throw EducationError.pupilLeft();
    return this.referrals.createConcern(ctx, { ...dto, childId: pupil.childId }, async (tx) => {
      // Still on the roll, and still the actor's to name, in the concern's own transaction.
      const again = await this.loadPupil(tx, ctx, pupilId, 'read');
      if (again.leftOn) throw EducationError.pupilLeft();
    });
  }

  // ---------- the DSL's safeguarding file ----------

  async getFile(ctx: AccessContext, pupilId: string): Promise<SafeguardingFileDto> {
    return this.db.transaction(async (tx) => {
      const pupil = await this.loadPupil(tx, ctx, pupilId, 'read', 'SchoolFile');
      const file = await this.buildFile(tx, ctx, pupil);
      await this.record.recordStep(tx, ctx, 'school_file.read', 'SchoolFile', [pupilId], pupil.childId);
      return file;
    });
  }

  private async buildFile(tx: EntityManager, ctx: AccessContext, pupil: PupilRow): Promise<SafeguardingFileDto> {
    // The school's own concerns on the pupil (referrals' records, through its public service).
    // (The pupil was loaded under the file's scope: always the actor's own school.)
    const concerns = await this.referrals.organisationConcernsOn(tx, ctx, pupil.childId);
    const actions = await namedQuery<SafeguardingActionDto>(
      tx,
      `SELECT id, action, taken_at AS "takenAt", taken_by AS "takenBy" FROM safeguarding_action
        WHERE pupil_id = :pupilId ORDER BY taken_at, id`,
      { pupilId: pupil.id },
    );
    // The pupil's status as children's services record it (their section's plan): flags only.
    const plans = await this.record.planStatusesOf(tx, pupil.childId);
    const has = (p: string) => plans.includes(p);
    const received = await namedQuery<{ transferId: string; fromSchool: string; sentAt: string }>(
      tx,
      `SELECT x.id AS "transferId", o.name AS "fromSchool", x.sent_at AS "sentAt"
         FROM safeguarding_file_transfer x JOIN organisation o ON o.id = x.from_organisation_id
        WHERE x.child_id = :childId AND x.to_organisation_id = :org AND x.status = 'RECEIVED' ORDER BY x.sent_at`,
      { childId: pupil.childId, org: pupil.organisationId },
    );
    return {
      pupil: this.present(ctx, pupil),
      dateOfBirth: pupil.dateOfBirth,
      status: {
        childInNeed: has('child_in_need_plan'),
        childProtectionPlan: has('child_protection_plan') || has('unborn_child_protection_plan'),
        lookedAfter: has('looked_after'),
      },
      concerns,
      actions,
      receivedFiles: received,
    };
  }

  async addAction(ctx: AccessContext, pupilId: string, dto: AddActionDto): Promise<SafeguardingActionDto> {
    return this.db.transaction(async (tx) => {
      const pupil = await this.loadPupil(tx, ctx, pupilId, 'update', 'SchoolFile');
      const now = this.clock.now();
      const saved = await tx.getRepository(SafeguardingAction).save(
        tx.getRepository(SafeguardingAction).create({
          organisationId: pupil.organisationId,
          pupilId,
          childId: pupil.childId,
          action: dto.action,
          takenAt: dto.takenAt ? new Date(dto.takenAt) : now,
          takenBy: ctx.actor.id,
        }),
      );
      await this.record.addEntry(tx, ctx, pupil.childId, {
        category: 'school_action',
        summary: 'Safeguarding action recorded by the school.',
        detail: dto.action,
        shareable: false,
        multiAgency: false,
      });
      await this.record.recordStep(tx, ctx, 'school_file.action', 'SchoolFile', [pupilId, saved.id], pupil.childId);
      return { id: saved.id, action: saved.action, takenAt: saved.takenAt.toISOString(), takenBy: saved.takenBy };
    });
  }

  // ---------- closure days ----------

  /** The school's closure days, and the version of the list (its ETag: send it back to change it). */
  async closureDays(ctx: AccessContext): Promise<{ days: ClosureDayDto[]; version: number }> {
    return this.db.transaction(async (tx) => {
      const org = ctx.actor.organisationId;
      const rows = await namedQuery<{ version: number }>(
        tx,
        'SELECT version FROM school_calendar WHERE organisation_id = :org',
        { org },
      );
      return { days: await this.closuresOf(tx, org), version: rows[0]?.version ?? 1 };
    });
  }

  /**
   * Replaces the school's closure days (its whole list) if it is still the version the caller read
   * (If-Match; 412 if another DSL changed it since): clocks started from now on skip them.
   */
  async setClosureDays(
    ctx: AccessContext,
    expectedVersion: number,
    dto: ClosureDaysDto,
  ): Promise<{ days: ClosureDayDto[]; version: number }> {
    const seen = new Set<string>();
    dto.days.forEach((d, i) => {
      if (seen.has(d.date))
        throw DomainError.validation([{ field: `days[${i}].date`, message: 'date is listed twice' }]);
      seen.add(d.date);
    });
    if (ctx.actor.organisationType !== 'school') {
      throw DomainError.validation([{ field: 'days', message: 'closure days are set by schools' }]);
    }
    return this.db.transaction(async (tx) => {
      const org = ctx.actor.organisationId;
      // The list's version row, made on the first change and locked for this one.
      await namedQuery(
        tx,
        'INSERT INTO school_calendar (organisation_id, version) VALUES (:org, 1) ON CONFLICT (organisation_id) DO NOTHING',
        { org },
      );
      const [current] = await namedQuery<{ version: number }>(
        tx,
        'SELECT version FROM school_calendar WHERE organisation_id = :org FOR UPDATE',
        { org },
      );
      if (current!.version !== expectedVersion) {
        throw DomainError.preconditionFailed(
          `The closure days have changed (version ${current!.version}); reload and retry.`,
        );
      }
      const version = current!.version + 1;
      await namedQuery(tx, 'UPDATE school_calendar SET version = :version WHERE organisation_id = :org', {
        org,
        version,
      });
      await namedQuery(tx, 'DELETE FROM school_closure_day WHERE organisation_id = :org', { org });
      if (dto.days.length > 0) {
        await tx
          .getRepository(SchoolClosureDay)
          .insert(dto.days.map((d) => ({ organisationId: org, day: d.date, reason: d.reason })));
      }
      await this.record.recordStep(tx, ctx, 'school_calendar.update', 'SchoolCalendar', [org], null, {
        days: dto.days.length,
      });
      return { days: await this.closuresOf(tx, org), version };
    });
  }

  private closuresOf(tx: EntityManager, org: string): Promise<ClosureDayDto[]> {
    return namedQuery<ClosureDayDto>(
      tx,
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, reason FROM school_closure_day WHERE organisation_id = :org ORDER BY day`,
      { org },
    );
  }

  // ---------- the file's transfer on a move ----------

  async transfer(ctx: AccessContext, pupilId: string, dto: CreateTransferDto): Promise<FileTransferDto> {
    if (dto.destination === 'SCHOOL' && !dto.toSchoolId) {
      throw DomainError.validation([{ field: 'toSchoolId', message: 'toSchoolId is required for a move to a school' }]);
    }
    if (dto.destination !== 'SCHOOL' && !dto.councilId) {
      throw DomainError.validation([
        {
          field: 'councilId',
          message: "councilId is required: the council's children missing education officer takes it",
        },
      ]);
    }
    // A move dated ahead would take the pupil off the roll at once (no concern could be logged).
    if (dto.movedOn > londonDateString(this.clock.now())) {
      throw DomainError.validation([{ field: 'movedOn', message: 'movedOn is in the future' }]);
    }
    return this.db.transaction(async (tx) => {
      const pupil = await this.loadPupil(tx, ctx, pupilId, 'update', 'SchoolFile', true);
      if (pupil.leftOn) throw EducationError.pupilLeft();
      if (dto.movedOn < pupil.onRollFrom) {
        throw DomainError.validation([
          {
            field: 'movedOn',
            message: `movedOn is before the pupil joined the roll (onRollFrom ${pupil.onRollFrom})`,
          },
        ]);
      }
      const toSchool = dto.destination === 'SCHOOL' ? await this.organisation(tx, dto.toSchoolId!, 'school') : null;
      if (toSchool === undefined || toSchool?.id === ctx.actor.organisationId)
        throw EducationError.notASchool('toSchoolId');
      const council =
        dto.destination !== 'SCHOOL' ? await this.organisation(tx, dto.councilId!, 'local_authority') : null;
      if (council === undefined) throw EducationError.notACouncil();
      const now = this.clock.now();
      // The recipient must confirm receipt: the clock is theirs, and escalates to their managers.
      const recipient = (toSchool ?? council)!;
      // So its days are counted on the recipient's own closure days: a receiving school's; a
      // council sets none, so its officer's days are working days.
      const closures = (await this.closuresOf(tx, recipient.id)).map((d) => d.date);
      const dueAt = schoolDaysDeadline(dto.movedOn, FILE_TRANSFER_SCHOOL_DAYS, closures);
      const from = (await this.organisation(tx, ctx.actor.organisationId, 'school'))!;
      const file = {
        ...(await this.buildFile(tx, ctx, pupil)),
        provenance: {
          fromSchool: from,
          sentAt: now.toISOString(),
          sentBy: ctx.actor.id,
          movedOn: dto.movedOn,
          note: 'A read-only copy of the safeguarding file as the sending school held it, sent separately from the main pupil file.',
        },
      };
      const saved = await tx.getRepository(FileTransfer).save(
        tx.getRepository(FileTransfer).create({
          childId: pupil.childId,
          pupilId,
          fromOrganisationId: ctx.actor.organisationId,
          destination: dto.destination,
          toOrganisationId: toSchool?.id ?? null,
          councilOrganisationId: council?.id ?? null,
          movedOn: dto.movedOn,
          status: toSchool ? 'SENT' : 'CHILD_MISSING_EDUCATION',
          dueAt,
          sentAt: now,
          sentBy: ctx.actor.id,
          file,
        }),
      );
      await tx.getRepository(Pupil).update({ id: pupilId }, { leftOn: dto.movedOn });
      await this.deadlines.open(tx, {
        subject: transferClock(saved.id),
        rule: 'education.file_transfer',
        dueAt,
        organisationId: recipient.id,
        childId: pupil.childId,
      });
      await this.notifier.send(
        tx,
        { organisationId: recipient.id, roles: RECEIVERS },
        toSchool
          ? {
              kind: 'file_transfer.arrived',
              subjectType: 'FileTransfer',
              subjectId: saved.id,
              message: "A new pupil's safeguarding file has arrived: read it and confirm receipt.",
            }
          : {
              kind: 'file_transfer.child_missing_education',
              subjectType: 'FileTransfer',
              subjectId: saved.id,
              message: `A pupil left ${from.name} for ${dto.destination === 'UNKNOWN' ? 'no known school' : 'outside the area'}: their safeguarding file is in your inbox.`,
            },
      );
      await this.record.addEntry(tx, ctx, pupil.childId, {
        category: 'school_move',
        summary: toSchool
          ? `Left the school roll; safeguarding file sent to ${toSchool.name}.`
          : `Left the school roll for ${dto.destination === 'UNKNOWN' ? 'no known school' : 'outside the area'}: referred to the children missing education officer.`,
        shareable: true,
        multiAgency: true,
      });
      await this.events.emit(
        tx,
        'education.file_transfer.sent',
        {
          transferId: saved.id,
          fromOrganisation: from,
          destination: dto.destination,
          toOrganisationId: toSchool?.id ?? null,
        },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'file_transfer.send', 'FileTransfer', [saved.id, pupilId], pupil.childId, {
        destination: dto.destination,
      });
      return this.presentTransfer(await this.loadTransfer(tx, ctx, saved.id, 'read'));
    });
  }

  async transferInbox(ctx: AccessContext, q: TransferInboxQuery): Promise<Page<FileTransferSummaryDto>> {
    const limit = q.limit ?? 50;
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'receive', 'FileTransfer', this.transferFields(tx), 'ft');
      const where = [scope.sql, 'x.received_at IS NULL'];
      const params: Record<string, unknown> = { ...scope.params, now, limit: limit + 1 };
      if (q.overdue === 'true') where.push('x.due_at < :now');
      if (q.overdue === 'false') where.push('x.due_at >= :now');
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        Object.assign(params, { cd: new Date(after[0]), ci: after[1] });
        where.push('(x.due_at, x.id) > (:cd, :ci)');
      }
      const rows = await namedQuery<TransferRow>(
        tx,
        `SELECT ${TRANSFER_COLUMNS} FROM ${TRANSFER_FROM} WHERE ${where.join(' AND ')} ORDER BY x.due_at, x.id LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(r.dueAt).toISOString(), r.id]);
      await this.record.recordList(
        tx,
        ctx,
        'file_transfer.list',
        'FileTransfer',
        page.data.map((r) => ({ id: r.id, childId: r.childId })),
        { count: page.data.length },
      );
      return {
        data: page.data.map((r) => {
          const { file: _f, ...summary } = this.presentTransfer(r);
          return summary;
        }),
        nextCursor: page.nextCursor,
      };
    });
  }

  async getTransfer(ctx: AccessContext, id: string): Promise<FileTransferDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadTransfer(tx, ctx, id, 'read');
      await this.record.recordStep(tx, ctx, 'file_transfer.read', 'FileTransfer', [id], row.childId);
      return this.presentTransfer(row);
    });
  }

  /** The recipient confirms receipt: the clock is met; a new school takes the pupil onto its roll. */
  async confirmReceipt(ctx: AccessContext, id: string, expectedVersion: number): Promise<FileTransferDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadTransfer(tx, ctx, id, 'receive', true);
      if (row.version !== expectedVersion) {
        throw DomainError.preconditionFailed(`The transfer has changed (version ${row.version}); reload and retry.`);
      }
      const status = row.status as TransferStatus;
      if (!TRANSFER_MOVES[status].includes('RECEIVED')) {
        throw EducationError.illegalTransition(status, 'RECEIVED', TRANSFER_MOVES[status]);
      }
      const now = this.clock.now();
      await tx
        .getRepository(FileTransfer)
        .update({ id }, { status: 'RECEIVED', receivedAt: now, receivedBy: ctx.actor.id, version: row.version + 1 });
      await this.deadlines.close(tx, transferClock(id), 'met');
      if (row.toOrganisationId) {
        await namedQuery(
          tx,
          `INSERT INTO pupil (organisation_id, child_id, upn, given_name, family_name, date_of_birth, year_group, on_roll_from)
           SELECT :org, p.child_id, p.upn, p.given_name, p.family_name, p.date_of_birth, p.year_group, :today
             FROM pupil p WHERE p.id = :pupilId
           ON CONFLICT (organisation_id, child_id) WHERE left_on IS NULL DO NOTHING`,
          { org: row.toOrganisationId, pupilId: row.pupilId, today: londonDateString(now) },
        );
        await this.record.involve(
          tx,
          row.childId,
          row.toOrganisationId,
          'statutory',
          'On the school roll',
          ctx.actor.id,
        );
      }
      await this.notifier.send(
        tx,
        { organisationId: row.fromOrganisationId, roles: SENDERS },
        {
          kind: 'file_transfer.received',
          subjectType: 'FileTransfer',
          subjectId: id,
          message: 'Receipt of a safeguarding file you sent was confirmed.',
        },
      );
      await this.record.addEntry(tx, ctx, row.childId, {
        category: 'school_move',
        summary: `Safeguarding file from ${row.from.name} received and confirmed.`,
        shareable: true,
        multiAgency: true,
      });
      const me = (await this.organisation(tx, ctx.actor.organisationId))!;
      await this.events.emit(
        tx,
        'education.file_transfer.received',
        { transferId: id, toOrganisation: me },
        { organisationId: row.fromOrganisationId },
      );
      await this.record.recordStep(tx, ctx, 'file_transfer.receive', 'FileTransfer', [id], row.childId);
      return this.presentTransfer(await this.loadTransfer(tx, ctx, id, 'read'));
    });
  }

  private transferFields(tx: EntityManager) {
    return columnsFrom(tx.getRepository(FileTransfer).metadata, 'x', {
      childHiddenFrom: childHiddenField('x.child_id'),
    });
  }

  private loadTransfer(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read' | 'receive',
    lock = false,
  ): Promise<TransferRow> {
    return requireScoped<TransferRow>(tx, ctx, {
      action,
      subject: 'FileTransfer',
      fields: this.transferFields(tx),
      prefix: 'ft',
      sql: (scope) =>
        `SELECT ${TRANSFER_COLUMNS} FROM ${TRANSFER_FROM} WHERE x.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF x' : ''}`,
      params: { id, now: this.clock.now() },
      notFound: EducationError.transferNotFound,
    });
  }

  private presentTransfer(row: TransferRow): FileTransferDto {
    const { childId: _c, pupilId: _p, toOrganisationId: _t, fromOrganisationId: _f, ...dto } = row;
    return dto;
  }

  /** An organisation by id, of the kind given (undefined if there is none). */
  private async organisation(
    tx: EntityManager,
    id: string,
    type?: string,
  ): Promise<{ id: string; name: string } | undefined> {
    const rows = await namedQuery<{ id: string; name: string }>(
      tx,
      `SELECT id, name FROM organisation WHERE id = :id ${type ? 'AND type = :type' : ''}`,
      { id, type },
    );
    return rows[0];
  }
}
