import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext } from '@app/access';
import { AuditService } from '@app/audit';
import { Deadlines, Notifier, requireScoped, Timescales } from '@app/casework';
import {
  APP_CONFIG,
  type AppConfig,
  Clock,
  decodeCursor,
  DomainError,
  namedQuery,
  SecretBox,
  toPage,
} from '@app/platform';
import { OversightError } from './oversight.errors';
import {
  type CreateReportDto,
  type FollowUpDto,
  type NoticeListQuery,
  type NoticePage,
  type ReportDto,
  type ReportListQuery,
  type ReportMessageDto,
  type ReportPage,
  type ReportReplyDto,
  type ReporterView,
  type ReportTransitionDto,
} from './whistleblowing.dto';
import { type MessageAudience, type ReportStatus } from './whistleblowing.entity';

/** The moves of a report: a transition table, not scattered ifs. */
const MOVES: Record<ReportStatus, readonly ReportStatus[]> = {
  received: ['acknowledged'],
  acknowledged: ['assigned', 'closed'],
  assigned: ['assigned', 'closed'],
  closed: [],
};

const SUBJECT = 'WhistleblowingReport';
const OFFICERS = ['whistleblowing_officer'] as const;
// No 0/O, 1/I/L, U: easy to read out and copy.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const HOUR_MS = 3_600_000;
// argon2 is slow by design; an unknown reference costs the same as a known one with a wrong secret.
let dummyHash: Promise<string> | null = null;

interface ReportRow {
  id: string;
  reference: string;
  category: string;
  status: ReportStatus;
  concernedOrganisationId: string | null;
  organisationId: string;
  assignedTo: string | null;
  outcome: string | null;
  receivedAt: Date;
  acknowledgedAt: Date | null;
  closedAt: Date | null;
  dueAt: Date | null;
  version: number;
}

const REPORT_COLUMNS = `r.id, r.reference, r.category, r.status, r.concerned_organisation_id AS "concernedOrganisationId",
  r.organisation_id AS "organisationId", r.assigned_to AS "assignedTo", r.outcome, r.received_at AS "receivedAt",
  r.acknowledged_at AS "acknowledgedAt", r.closed_at AS "closedAt", r.version,
  (SELECT d.due_at FROM deadline d WHERE d.subject_type = '${SUBJECT}' AND d.subject_id = r.id
    ORDER BY d.opened_at DESC LIMIT 1) AS "dueAt"`;

const reportFields = (field: string) => (field === 'organisationId' ? { column: 'r.organisation_id' } : undefined);

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

function toDto(r: ReportRow): ReportDto {
  return {
    id: r.id,
    reference: r.reference,
    category: r.category,
    status: r.status,
    concernedOrganisationId: r.concernedOrganisationId,
    assignedTo: r.assignedTo,
    outcome: r.outcome,
    receivedAt: iso(r.receivedAt)!,
    acknowledgedAt: iso(r.acknowledgedAt),
    closedAt: iso(r.closedAt),
    dueAt: iso(r.dueAt),
    version: r.version,
  };
}

/**
 * Whistleblowing to the independent inspectorate. The reporter is anonymous: nothing that could
 * identify them (account, address, user agent) is stored, logged or audited; they come back with a
 * reference and a one-time secret (kept only as an argon2 hash). What they say is sealed at rest.
 * The inspectorate's whistleblowing officers work the reports; the organisation concerned never
 * reads them, only what an officer decides to tell it.
 */
@Injectable()
export class WhistleblowingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly deadlines: Deadlines,
    private readonly timescales: Timescales,
    private readonly notifier: Notifier,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateReportDto): Promise<{ reference: string; secret: string; status: ReportStatus }> {
    const secret = randomBytes(24).toString('base64url');
    const secretHash = await argon2.hash(secret, { type: argon2.argon2id });
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      await this.takeAttempt(tx, 'create', this.config.whistleblowingReportsPerHour, now);
      if (dto.concernedOrganisationId !== undefined) {
        const [org] = await namedQuery<{ type: string }>(tx, 'SELECT type FROM organisation WHERE id = :id', {
          id: dto.concernedOrganisationId,
        });
        if (!org || org.type === 'oversight') {
          throw DomainError.validation([
            { field: 'concernedOrganisationId', message: 'concernedOrganisationId is not a partner organisation' },
          ]);
        }
      }
      const [inspectorate] = await namedQuery<{ id: string }>(
        tx,
        `SELECT id FROM organisation WHERE type = 'oversight' ORDER BY code LIMIT 1`,
        {},
      );
      if (!inspectorate) throw OversightError.noInspectorate();
      const id = randomUUID();
      let reference = '';
      for (let attempt = 0; ; attempt++) {
        reference = `WB-${Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
        const rows = await namedQuery<{ id: string }>(
          tx,
          `INSERT INTO whistleblowing_report (id, reference, secret_hash, organisation_id, concerned_organisation_id,
                                              category, status, received_at, version)
           VALUES (:id, :reference, :secretHash, :org, :concerned, :category, 'received', :now, 1)
           ON CONFLICT (reference) DO NOTHING RETURNING id`,
          {
            id,
            reference,
            secretHash,
            org: inspectorate.id,
            concerned: dto.concernedOrganisationId ?? null,
            category: dto.category,
            now,
          },
        );
        if (rows.length > 0) break;
        if (attempt > 5) throw new Error('Could not find a free whistleblowing reference');
      }
      await this.addMessage(tx, id, 'reporter', null, 'inspectorate', dto.text, now);
      const dueAt = await this.timescales.due(tx, inspectorate.id, 'whistleblowing.acknowledge', now);
      await this.deadlines.open(tx, {
        subject: { type: SUBJECT, id },
        rule: 'whistleblowing.acknowledge',
        dueAt,
        organisationId: inspectorate.id,
      });
      await this.notifier.send(
        tx,
        { organisationId: inspectorate.id, roles: OFFICERS },
        {
          kind: 'whistleblowing.received',
          subjectType: SUBJECT,
          subjectId: id,
          message: `A whistleblowing report was received: acknowledge it by ${dueAt.toISOString()}.`,
        },
      );
      return { reference, secret, status: 'received' as const };
    });
  }

  /** The reporter's view: status, outcome and what was said to them (or by them). */
  async followUp(dto: FollowUpDto): Promise<ReporterView> {
    const report = await this.authenticate(dto);
    const messages = await namedQuery<MessageRow>(
      this.db.manager,
      `SELECT id, author, audience, body, created_at AS "createdAt" FROM whistleblowing_message
        WHERE report_id = :id AND (author = 'reporter' OR audience = 'reporter') ORDER BY created_at, id`,
      { id: report.id },
    );
    return {
      reference: report.reference,
      status: report.status,
      outcome: report.outcome,
      receivedAt: iso(report.receivedAt)!,
      messages: messages.map((m) => this.open(m)),
    };
  }

  /** The reporter adds information; the officer handling it (or every officer) is told. */
  async addInformation(dto: FollowUpDto & { text: string }): Promise<ReporterView> {
    const report = await this.authenticate(dto);
    if (report.status === 'closed') throw OversightError.closed();
    await this.db.transaction(async (tx) => {
      await this.addMessage(tx, report.id, 'reporter', null, 'inspectorate', dto.text, this.clock.now());
      await this.notifier.send(
        tx,
        report.assignedTo
          ? { organisationId: report.organisationId, userIds: [report.assignedTo] }
          : { organisationId: report.organisationId, roles: OFFICERS },
        {
          kind: 'whistleblowing.information_added',
          subjectType: SUBJECT,
          subjectId: report.id,
          message: 'The reporter added information to a whistleblowing report.',
        },
      );
    });
    return this.followUp(dto);
  }

  async list(ctx: AccessContext, q: ReportListQuery): Promise<ReportPage> {
    const limit = q.limit ?? 50;
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', SUBJECT, reportFields, 'wb');
      const where = [scope.sql];
      const params: Record<string, unknown> = { ...scope.params, limit: limit + 1 };
      if (q.status) {
        where.push('r.status = :status');
        params.status = q.status;
      }
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        where.push('(r.received_at, r.id) < (:afterAt, :afterId)');
        params.afterAt = after[0];
        params.afterId = after[1];
      }
      const rows = await namedQuery<ReportRow>(
        tx,
        `SELECT ${REPORT_COLUMNS} FROM whistleblowing_report r WHERE ${where.join(' AND ')}
          ORDER BY r.received_at DESC, r.id DESC LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(r.receivedAt).toISOString(), r.id]);
      await this.record(
        tx,
        ctx,
        'whistleblowing.list',
        page.data.map((r) => r.id),
      );
      return { data: page.data.map(toDto), nextCursor: page.nextCursor };
    });
  }

  async get(ctx: AccessContext, id: string): Promise<ReportDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.require(tx, ctx, id, 'read');
      const messages = await namedQuery<MessageRow>(
        tx,
        `SELECT id, author, audience, body, created_at AS "createdAt" FROM whistleblowing_message
          WHERE report_id = :id ORDER BY created_at, id`,
        { id },
      );
      await this.record(tx, ctx, 'whistleblowing.read', [id]);
      return { ...toDto(row), messages: messages.map((m) => this.open(m)) };
    });
  }

  async transition(ctx: AccessContext, id: string, dto: ReportTransitionDto, version: number): Promise<ReportDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.require(tx, ctx, id, 'update', true);
      if (row.version !== version) throw DomainError.preconditionFailed('The report changed since you read it.');
      const allowed = MOVES[row.status];
      if (!allowed.includes(dto.to)) throw OversightError.illegalMove(row.status, dto.to, allowed);
      const now = this.clock.now();
      const set: string[] = ['status = :to', 'version = version + 1'];
      const params: Record<string, unknown> = { id, to: dto.to, now };
      if (dto.to === 'acknowledged') {
        set.push('acknowledged_at = :now');
        await this.deadlines.close(tx, { type: SUBJECT, id }, 'met', 'whistleblowing.acknowledge');
      }
      if (dto.to === 'assigned') {
        if (!dto.assigneeId) {
          throw DomainError.validation([{ field: 'assigneeId', message: 'assigneeId is required to assign' }]);
        }
        const [officer] = await namedQuery<{ id: string }>(
          tx,
          `SELECT id FROM app_user WHERE id = :assignee AND organisation_id = :org AND active
              AND 'whistleblowing_officer' = ANY(roles)`,
          { assignee: dto.assigneeId, org: row.organisationId },
        );
        if (!officer) {
          throw DomainError.validation([
            { field: 'assigneeId', message: "assigneeId is not a whistleblowing officer of the report's inspectorate" },
          ]);
        }
        set.push('assigned_to = :assignee');
        params.assignee = dto.assigneeId;
      }
      if (dto.to === 'closed') {
        if (!dto.outcome) throw DomainError.validation([{ field: 'outcome', message: 'outcome is required to close' }]);
        set.push('outcome = :outcome', 'closed_at = :now');
        params.outcome = dto.outcome;
        await this.deadlines.close(tx, { type: SUBJECT, id }, 'cancelled');
      }
      await namedQuery(tx, `UPDATE whistleblowing_report SET ${set.join(', ')} WHERE id = :id`, params);
      if (dto.to === 'assigned' && dto.assigneeId !== ctx.actor.id) {
        await this.notifier.send(
          tx,
          { organisationId: row.organisationId, userIds: [dto.assigneeId!] },
          {
            kind: 'whistleblowing.assigned',
            subjectType: SUBJECT,
            subjectId: id,
            message: 'A whistleblowing report was assigned to you.',
          },
        );
      }
      await this.record(tx, ctx, `whistleblowing.${dto.to}`, [id], { to: dto.to, outcome: dto.outcome ?? null });
      const updated = await this.require(tx, ctx, id, 'read');
      return toDto(updated);
    });
  }

  /**
   * The notices the inspectorate sent to the caller's organisation about reports concerning it,
   * newest first: only the text the officer chose to send, never the report, its reference, the
   * reporter's words or the other messages.
   */
  async notices(ctx: AccessContext, q: NoticeListQuery): Promise<NoticePage> {
    const limit = q.limit ?? 50;
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(
        ctx.ability,
        'read',
        'WhistleblowingNotice',
        (field) => (field === 'organisationId' ? { column: 'r.concerned_organisation_id' } : undefined),
        'wn',
      );
      const where = [scope.sql, `m.audience = 'organisation'`];
      const params: Record<string, unknown> = { ...scope.params, limit: limit + 1 };
      if (q.reportId) {
        where.push('m.report_id = :reportId');
        params.reportId = q.reportId;
      }
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        where.push('(m.created_at, m.id) < (:afterAt, :afterId)');
        params.afterAt = new Date(after[0]);
        params.afterId = after[1];
      }
      const rows = await namedQuery<MessageRow & { reportId: string }>(
        tx,
        `SELECT m.id, m.report_id AS "reportId", m.author, m.audience, m.body, m.created_at AS "createdAt"
           FROM whistleblowing_message m JOIN whistleblowing_report r ON r.id = m.report_id
          WHERE ${where.join(' AND ')} ORDER BY m.created_at DESC, m.id DESC LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (m) => [new Date(m.createdAt).toISOString(), m.id]);
      await this.audit.record(tx, {
        actor: ctx.actor,
        action: 'whistleblowing.notices',
        subjectType: 'WhistleblowingNotice',
        subjectIds: page.data.map((m) => m.id),
        childIds: [],
        outcome: 'allowed',
        purpose: ctx.purpose,
        requestId: ctx.requestId,
        clientIp: ctx.clientIp,
        details: { count: page.data.length, reportId: q.reportId ?? null },
        at: this.clock.now(),
      });
      return {
        data: page.data.map((m) => ({
          id: m.id,
          reportId: m.reportId,
          text: this.open(m).text,
          sentAt: iso(m.createdAt)!,
        })),
        nextCursor: page.nextCursor,
      };
    });
  }

  /** A reply to the reporter, a notice to the organisation concerned, or an internal note. */
  async reply(ctx: AccessContext, id: string, dto: ReportReplyDto): Promise<ReportDto> {
    await this.db.transaction(async (tx) => {
      const row = await this.require(tx, ctx, id, 'update', true);
      if (row.status === 'closed' && dto.audience !== 'inspectorate') throw OversightError.closed();
      if (dto.audience === 'organisation' && !row.concernedOrganisationId) {
        throw DomainError.validation([
          { field: 'audience', message: 'audience organisation: the report names no organisation concerned' },
        ]);
      }
      await this.addMessage(tx, id, 'officer', ctx.actor.id, dto.audience, dto.text, this.clock.now());
      if (dto.audience === 'organisation') {
        // Only the fact of a notice, and where to read it: the notice is what the officer chose to say.
        await this.notifier.send(
          tx,
          { organisationId: row.concernedOrganisationId!, roles: ['data_protection_officer'] },
          {
            kind: 'whistleblowing.notice',
            subjectType: 'WhistleblowingNotice',
            subjectId: id,
            message: 'The inspectorate sent your organisation a notice about a concern raised with it.',
          },
        );
      }
      await this.record(tx, ctx, 'whistleblowing.reply', [id], { audience: dto.audience });
    });
    return this.get(ctx, id);
  }

  private async require(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read' | 'update',
    lock = false,
  ): Promise<ReportRow> {
    return requireScoped<ReportRow>(tx, ctx, {
      action,
      subject: SUBJECT,
      fields: reportFields,
      sql: (scope) =>
        `SELECT ${REPORT_COLUMNS} FROM whistleblowing_report r WHERE r.id = :id AND ${scope}${lock ? ' FOR UPDATE OF r' : ''}`,
      params: { id },
      notFound: OversightError.reportNotFound,
      prefix: 'wb',
    });
  }

  /** The report behind a reference and secret, or the same 404 for an unknown reference and a wrong secret. */
  private async authenticate(dto: FollowUpDto): Promise<ReportRow & { secretHash: string }> {
    const key = `ref:${createHash('sha256').update(dto.reference).digest('hex')}`;
    const now = this.clock.now();
    // Every try takes a slot of the reference's window first, under its lock, so guesses sent all at
    // once cannot pass the limit between a count and an insert; a right secret gives its slot back.
    // Refused once too many wrong secrets were tried on this reference, known or not (the same 429 for both).
    const slot = await this.db.transaction((tx) =>
      this.takeAttempt(tx, key, this.config.whistleblowingFollowUpFailuresPerHour, now),
    );
    const [row] = await namedQuery<ReportRow & { secretHash: string }>(
      this.db.manager,
      `SELECT ${REPORT_COLUMNS}, r.secret_hash AS "secretHash" FROM whistleblowing_report r WHERE r.reference = :reference`,
      { reference: dto.reference },
    );
    dummyHash ??= argon2.hash(randomBytes(24).toString('base64url'), { type: argon2.argon2id });
    const ok = await argon2.verify(row?.secretHash ?? (await dummyHash), dto.secret).catch(() => false);
    if (!row || !ok) throw OversightError.noSuchReport();
    await namedQuery(this.db.manager, 'DELETE FROM whistleblowing_attempt WHERE id = :slot', { slot });
    return row;
  }

  /** Counts one attempt under `key` (its id), or refuses (429) when the window already holds `limit`. */
  private async takeAttempt(tx: EntityManager, key: string, limit: number, now: Date): Promise<string> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`whistleblowing:${key}`]);
    const rows = await namedQuery<{ id: string }>(
      tx,
      `INSERT INTO whistleblowing_attempt (key, at)
       SELECT CAST(:key AS varchar), CAST(:now AS timestamptz)
        WHERE (SELECT count(*) FROM whistleblowing_attempt WHERE key = :key AND at > :since) < :limit
       RETURNING id`,
      { key, now, since: new Date(now.getTime() - HOUR_MS), limit },
    );
    if (rows.length === 0) throw DomainError.tooManyRequests(3600);
    return rows[0]!.id;
  }

  private async addMessage(
    tx: EntityManager,
    reportId: string,
    author: 'reporter' | 'officer',
    authorUserId: string | null,
    audience: MessageAudience,
    text: string,
    at: Date,
  ): Promise<void> {
    const id = randomUUID();
    await namedQuery(
      tx,
      `INSERT INTO whistleblowing_message (id, report_id, author, author_user_id, audience, body, created_at)
       VALUES (:id, :reportId, :author, :authorUserId, :audience, :body, :at)`,
      { id, reportId, author, authorUserId, audience, body: this.box.seal(text, `whistleblowing_message:${id}`), at },
    );
  }

  private open(m: MessageRow): ReportMessageDto {
    return {
      id: m.id,
      author: m.author,
      audience: m.audience,
      text: this.box.open(m.body, `whistleblowing_message:${m.id}`),
      createdAt: iso(m.createdAt)!,
    };
  }

  /** Officers' reads and changes are on the record (no child is named by id: a report's text is free). */
  private record(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    ids: string[],
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.audit.record(tx, {
      actor: ctx.actor,
      action,
      subjectType: SUBJECT,
      subjectIds: ids,
      childIds: [],
      outcome: 'allowed',
      purpose: ctx.purpose,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      details: { count: ids.length, ...details },
      at: this.clock.now(),
    });
  }
}

interface MessageRow {
  id: string;
  author: 'reporter' | 'officer';
  audience: MessageAudience;
  body: string;
  createdAt: Date;
}
