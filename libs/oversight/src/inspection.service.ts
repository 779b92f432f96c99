import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, columnsFrom, type Subject } from '@app/access';
import { SharedRecord } from '@app/casework';
import { childHiddenField } from '@app/children';
import { Clock, decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import { Concern, Referral } from '@app/referrals';
import { InformationRequest } from '@app/sharing';
import type {
  InspectionConcernDto,
  InspectionConcernQuery,
  InspectionListQuery,
  InspectionReferralDto,
  InspectionReferralQuery,
  InspectionRequestDto,
  InspectionRequestQuery,
} from './inspection.dto';

/**
 * Text a police force wrote is police intelligence (the class of its workflow entries), which
 * inspection does not read: the lists show that the work exists, who and when, never that text.
 */
const POLICE = 'police_force';

const org = (alias: string) => `json_build_object('id', ${alias}.id, 'name', ${alias}.name, 'type', ${alias}.type)`;
const subject = (alias: string) =>
  `json_build_object('givenName', ${alias}.subject_given_name, 'familyName', ${alias}.subject_family_name,
     'dateOfBirth', to_char(${alias}.subject_date_of_birth, 'YYYY-MM-DD'), 'approximateAge', ${alias}.subject_approximate_age)`;
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

type Row = Record<string, unknown> & { id: string; childId: string | null; sortAt: Date };

/** Withholds `fields` of a row (null) when `when`, naming them. */
function withhold<T extends Record<string, unknown>>(row: T, when: boolean, fields: (keyof T & string)[]): string[] {
  if (!when) return [];
  for (const f of fields) (row as Record<string, unknown>)[f] = null;
  return fields;
}

/**
 * Inspectors' read-only lists across the partnership's organisations (issue 16, item 4): referrals
 * (each organisation's inbox and sent), concerns, information requests and sharing decisions.
 * Scoped in SQL by the same policy as a single read (a restricted child's work stays with its case
 * team), paged, and every page is on the audit record with the purpose the inspector declared and
 * every child it names. Nothing here writes.
 */
@Injectable()
export class InspectionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly clock: Clock,
  ) {}

  async referrals(
    ctx: AccessContext,
    q: InspectionReferralQuery,
    declared: boolean,
  ): Promise<Page<InspectionReferralDto>> {
    return this.page(ctx, q, declared, {
      subject: 'Referral',
      action: 'inspection.referrals',
      fields: (tx) =>
        columnsFrom(tx.connection.getMetadata(Referral), 'r', { childHiddenFrom: childHiddenField('r.child_id') }),
      from: `referral r JOIN organisation fo ON fo.id = r.from_organisation_id
             JOIN organisation tor ON tor.id = r.to_organisation_id JOIN team tt ON tt.id = r.to_team_id`,
      columns: `r.id, r.status, ${org('fo')} AS "from", ${org('tor')} AS "to",
                json_build_object('id', tt.id, 'name', tt.name) AS "toTeam", r.child_id AS "childId",
                ${subject('r')} AS subject, r.rag, r.immediate_danger AS "immediateDanger", r.reason,
                r.decline_reason AS "declineReason", r.outcome, r.outcome_reason AS "outcomeReason",
                r.created_at AS "createdAt", r.due_at AS "dueAt", r.decided_at AS "decidedAt",
                (r.due_at IS NOT NULL AND r.due_at < :now AND r.status IN ('SUBMITTED', 'ACKNOWLEDGED')) AS overdue,
                r.created_at AS "sortAt"`,
      sortAt: 'r.created_at',
      id: 'r.id',
      organisation: { received: 'r.to_organisation_id', sent: 'r.from_organisation_id' },
      status: 'r.status',
      present: (row) => {
        const withheld = [
          ...withhold(row, (row.from as { type: string }).type === POLICE, ['reason']),
          ...withhold(row, (row.to as { type: string }).type === POLICE, ['declineReason', 'outcomeReason']),
        ];
        return {
          ...(row as unknown as InspectionReferralDto),
          createdAt: iso(row.createdAt as Date)!,
          dueAt: iso(row.dueAt as Date | null),
          decidedAt: iso(row.decidedAt as Date | null),
          withheld,
        };
      },
    });
  }

  async concerns(
    ctx: AccessContext,
    q: InspectionConcernQuery,
    declared: boolean,
  ): Promise<Page<InspectionConcernDto>> {
    return this.page(ctx, { ...q, box: 'received' }, declared, {
      subject: 'Concern',
      action: 'inspection.concerns',
      fields: (tx) =>
        columnsFrom(tx.connection.getMetadata(Concern), 'c', { childHiddenFrom: childHiddenField('c.child_id') }),
      from: 'concern c JOIN organisation co ON co.id = c.organisation_id',
      columns: `c.id, c.status, ${org('co')} AS organisation, c.child_id AS "childId", ${subject('c')} AS subject,
                c.category, c.immediate_danger AS "immediateDanger", c.what_was_seen AS "whatWasSeen",
                c.childs_words AS "childsWords", c.decision_reason AS "decisionReason", c.created_at AS "createdAt",
                c.due_at AS "dueAt", c.decided_at AS "decidedAt", (c.status = 'OPEN' AND c.due_at < :now) AS overdue,
                c.created_at AS "sortAt"`,
      sortAt: 'c.created_at',
      id: 'c.id',
      organisation: { received: 'c.organisation_id', sent: 'c.organisation_id' },
      status: 'c.status',
      present: (row) => {
        const withheld = withhold(row, (row.organisation as { type: string }).type === POLICE, [
          'whatWasSeen',
          'childsWords',
          'decisionReason',
        ]);
        return {
          ...(row as unknown as InspectionConcernDto),
          createdAt: iso(row.createdAt as Date)!,
          dueAt: iso(row.dueAt as Date)!,
          decidedAt: iso(row.decidedAt as Date | null),
          withheld,
        };
      },
    });
  }

  /** Information requests, newest first; `decided` lists the decisions (disclosed or declined), latest first. */
  async requests(
    ctx: AccessContext,
    q: InspectionRequestQuery,
    declared: boolean,
    decided = false,
  ): Promise<Page<InspectionRequestDto>> {
    return this.page(ctx, q, declared, {
      subject: 'InformationRequest',
      action: decided ? 'inspection.decisions' : 'inspection.requests',
      fields: (tx) =>
        columnsFrom(tx.connection.getMetadata(InformationRequest), 'ir', {
          childHiddenFrom: childHiddenField('ir.child_id'),
        }),
      from: `information_request ir JOIN organisation fo ON fo.id = ir.from_organisation_id
             JOIN organisation tor ON tor.id = ir.to_organisation_id`,
      columns: `ir.id, ir.status, ${org('fo')} AS "from", ${org('tor')} AS "to", ir.child_id AS "childId",
                ir.urgency, ir.classes_requested AS "classesRequested", ir.purpose,
                ir.classes_disclosed AS "classesDisclosed", ir.lawful_basis AS "lawfulBasis",
                ir.decision_reason AS "decisionReason", ir.justification, ir.created_at AS "createdAt",
                ir.due_at AS "dueAt", ir.decided_at AS "decidedAt",
                (ir.decided_at IS NOT NULL AND ir.decided_at <= ir.due_at) AS "answeredInTime",
                ${decided ? 'ir.decided_at' : 'ir.created_at'} AS "sortAt"`,
      sortAt: decided ? 'ir.decided_at' : 'ir.created_at',
      id: 'ir.id',
      organisation: { received: 'ir.to_organisation_id', sent: 'ir.from_organisation_id' },
      status: 'ir.status',
      extraWhere: decided ? 'ir.decided_at IS NOT NULL' : undefined,
      present: (row) => {
        const withheld = [
          ...withhold(row, (row.from as { type: string }).type === POLICE, ['purpose']),
          ...withhold(row, (row.to as { type: string }).type === POLICE, ['decisionReason', 'justification']),
        ];
        return {
          ...(row as unknown as InspectionRequestDto),
          createdAt: iso(row.createdAt as Date)!,
          dueAt: iso(row.dueAt as Date)!,
          decidedAt: iso(row.decidedAt as Date | null),
          withheld,
        };
      },
    });
  }

  private async page<T>(
    ctx: AccessContext,
    q: InspectionListQuery & { status?: string },
    declared: boolean,
    spec: {
      subject: Subject;
      action: string;
      fields: (tx: EntityManager) => Parameters<typeof abilityToSql>[3];
      from: string;
      columns: string;
      sortAt: string;
      id: string;
      organisation: { received: string; sent: string };
      status: string;
      extraWhere?: string;
      present: (row: Row) => T;
    },
  ): Promise<Page<T>> {
    // A forged cursor is named first; then the purpose, which must be declared, not defaulted.
    const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
    if (!declared || ctx.purpose !== 'inspection') {
      throw DomainError.validation([
        {
          field: 'X-Purpose-Of-Use',
          message: declared
            ? 'X-Purpose-Of-Use must be inspection on the inspection lists'
            : 'X-Purpose-Of-Use is required: declare inspection',
        },
      ]);
    }
    const limit = q.limit ?? 50;
    const now = this.clock.now();
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      // The same rules as a single read of each item, and only for those who may inspect at all.
      const scope = abilityToSql(ctx.ability, 'read', spec.subject, spec.fields(tx), 'in');
      const where = [scope.sql];
      const params: Record<string, unknown> = { ...scope.params, now, viewerId: ctx.actor.id, limit: limit + 1 };
      if (spec.extraWhere) where.push(spec.extraWhere);
      if (q.organisationId) {
        params.org = q.organisationId;
        where.push(
          q.box
            ? `${spec.organisation[q.box]} = :org`
            : `(${spec.organisation.received} = :org OR ${spec.organisation.sent} = :org)`,
        );
      }
      if (q.status) {
        params.status = q.status;
        where.push(`${spec.status} = :status`);
      }
      if (after) {
        Object.assign(params, { afterAt: new Date(after[0]), afterId: after[1] });
        where.push(`(${spec.sortAt}, ${spec.id}) < (:afterAt, :afterId)`);
      }
      const rows = await namedQuery<Row>(
        tx,
        `SELECT ${spec.columns} FROM ${spec.from} WHERE ${where.join(' AND ')}
          ORDER BY ${spec.sortAt} DESC, ${spec.id} DESC LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(r.sortAt).toISOString(), r.id]);
      await this.record.recordList(tx, ctx, spec.action, spec.subject, page.data, {
        count: page.data.length,
        organisationId: q.organisationId ?? null,
        box: q.box ?? null,
        status: q.status ?? null,
      });
      return {
        data: page.data.map((row) => {
          const { sortAt: _s, ...rest } = row;
          return spec.present(rest as Row);
        }),
        nextCursor: page.nextCursor,
      };
    });
  }
}
