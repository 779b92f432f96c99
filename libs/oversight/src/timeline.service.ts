import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PDFDocument from 'pdfkit';
import { DataSource, type EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import { AuditSealer, AuditVerifier } from '@app/audit';
import { escalationAudience, SharedRecord } from '@app/casework';
import { Clock, namedQuery, type OrganisationType } from '@app/platform';

export interface TimelineEvent {
  at: string;
  /**
   * e.g. concern.raised, concern.decided, referral.accepted, request.declined, deadline.missed,
   * deadline.handed_over (a running clock given to another holder: `why` names them), escalation.level1,
   * childrens_services.<record>.<step> (e.g. childrens_services.s47.completed: `what` is the outcome),
   * school_file.sent, school_file.received, disclosure.revoked
   */
  kind: string;
  subjectType: string;
  subjectId: string;
  organisation: { id: string; name: string | null } | null;
  /** Who acted (decided, sent, answered), when a person did. */
  actor: { id: string; name: string | null } | null;
  /** What: the category, the move, the classes, the clock's rule. */
  what: string | null;
  /** Why, as recorded (a decision's reason, a request's purpose), or what became of a missed clock. */
  why: string | null;
  /** For escalations: who was told (roles of which team) and who read it, when. */
  told?: { roles: string[]; team: string | null; readBy: { name: string | null; at: string }[] };
}

export interface TimelineAccess {
  organisation: { id: string; name: string | null; type: string | null };
  role: string;
  count: number;
  first: string;
  last: string;
  /** Named people, to those the access-log rules entitle to names. */
  people?: { id: string; name: string | null; count: number; first: string; last: string }[];
}

export interface Timeline {
  childId: string;
  generatedAt: string;
  events: TimelineEvent[];
  accesses: TimelineAccess[];
}

interface EventRow {
  at: Date;
  kind: string;
  subject_type: string;
  subject_id: string;
  organisation_id: string | null;
  organisation_name: string | null;
  organisation_type: OrganisationType | null;
  actor_id: string | null;
  actor_name: string | null;
  what: string | null;
  why: string | null;
  team_name: string | null;
  level: number | null;
  parties: string[];
}

/** Every event about the child across the workflows, in time order, with who and why (one statement). */
const EVENTS_SQL = `
WITH ev AS (
  SELECT c.created_at AS at, 'concern.raised' AS kind, 'Concern' AS subject_type, c.id AS subject_id,
         c.organisation_id, c.reporter_id AS actor_id, c.category::text AS what, NULL::text AS why,
         NULL::uuid AS team_id, NULL::int AS level, ARRAY[c.organisation_id] AS parties
    FROM concern c WHERE c.child_id = :child
  UNION ALL
  SELECT c.decided_at, 'concern.decided', 'Concern', c.id, c.organisation_id, c.decided_by, c.status, c.decision_reason,
         NULL, NULL, ARRAY[c.organisation_id]
    FROM concern c WHERE c.child_id = :child AND c.decided_at IS NOT NULL
  UNION ALL
  SELECT t.at, 'referral.' || lower(t.to_status), 'Referral', r.id, t.organisation_id, t.actor_id,
         coalesce(t.from_status || ' -> ', '') || t.to_status, t.reason, NULL, NULL,
         ARRAY[r.from_organisation_id, r.to_organisation_id]
    FROM referral_transition t JOIN referral r ON r.id = t.referral_id WHERE r.child_id = :child
  UNION ALL
  SELECT ir.created_at, 'request.made', 'InformationRequest', ir.id, ir.from_organisation_id, ir.from_actor_id,
         array_to_string(ir.classes_requested, ', '), ir.purpose, NULL, NULL,
         ARRAY[ir.from_organisation_id, ir.to_organisation_id]
    FROM information_request ir WHERE ir.child_id = :child
  UNION ALL
  SELECT ir.decided_at, 'request.' || lower(ir.status), 'InformationRequest', ir.id, ir.to_organisation_id, ir.decided_by,
         array_to_string(ir.classes_disclosed, ', '), ir.decision_reason, NULL, NULL,
         ARRAY[ir.from_organisation_id, ir.to_organisation_id]
    FROM information_request ir WHERE ir.child_id = :child AND ir.decided_at IS NOT NULL
  UNION ALL
  SELECT d.due_at, 'deadline.missed', d.subject_type, d.subject_id, d.organisation_id, d.responsible_user_id, d.rule,
         CASE WHEN d.state = 'open' THEN 'still open'
              ELSE d.state || ' at ' || to_char(d.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END,
         d.team_id, NULL, ARRAY[d.organisation_id]
    FROM deadline d WHERE d.child_id = :child AND d.overdue_at IS NOT NULL
  UNION ALL
  SELECT d.closed_at, 'deadline.handed_over', d.subject_type, d.subject_id, d.organisation_id, NULL, d.rule,
         'from ' || concat_ws(', ', po.name, pt.name, pu.name) || ' to ' || concat_ws(', ', no.name, nt.name, nu.name)
           || CASE WHEN d.due_at < d.closed_at
                THEN ' (overdue since ' || to_char(d.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ')'
                ELSE '' END,
         NULL, NULL, ARRAY[d.organisation_id, n.organisation_id]
    FROM deadline d JOIN deadline n ON n.id = d.handed_over_to
    JOIN organisation po ON po.id = d.organisation_id
    LEFT JOIN team pt ON pt.id = d.team_id LEFT JOIN app_user pu ON pu.id = d.responsible_user_id
    JOIN organisation no ON no.id = n.organisation_id
    LEFT JOIN team nt ON nt.id = n.team_id LEFT JOIN app_user nu ON nu.id = n.responsible_user_id
   WHERE d.child_id = :child AND d.state = 'handed_over'
  UNION ALL
  SELECT e.raised_at, 'escalation.level' || e.level, d.subject_type, d.subject_id, e.organisation_id, NULL, d.rule,
         'overdue since ' || to_char(e.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), e.team_id, e.level,
         ARRAY[e.organisation_id]
    FROM escalation e JOIN deadline d ON d.id = e.deadline_id WHERE d.child_id = :child
  UNION ALL
  -- The steps other modules record about the child, as their audit events say them: children's
  -- services' (case, assessment, strategy discussion, s47, conference, plan, looked after: who, the
  -- outcome), a school's safeguarding file sent and received, a disclosure revoked.
  SELECT a.occurred_at,
         CASE WHEN left(a.action, 3) = 'cs_' THEN 'childrens_services.' || substr(a.action, 4)
              WHEN a.action = 'file_transfer.send' THEN 'school_file.sent'
              WHEN a.action = 'file_transfer.receive' THEN 'school_file.received'
              ELSE 'disclosure.revoked' END,
         a.subject_type, a.subject_ids[1], a.organisation_id, CASE WHEN a.actor_kind = 'user' THEN a.actor_id END,
         a.details->>'outcome', a.details->>'reason', NULL, NULL, ARRAY[a.organisation_id]
    FROM audit_event a
   WHERE a.child_ids @> ARRAY[CAST(:child AS uuid)] AND a.outcome = 'allowed'
     AND ((left(a.action, 3) = 'cs_' AND a.action NOT IN ('cs_case.read', 'cs_case.list'))
          OR a.action IN ('file_transfer.send', 'file_transfer.receive', 'sharing_grant.revoke'))
)
SELECT ev.at, ev.kind, ev.subject_type, ev.subject_id, ev.organisation_id, o.name AS organisation_name,
       o.type AS organisation_type, ev.actor_id, u.name AS actor_name, ev.what, ev.why, tm.name AS team_name, ev.level,
       ev.parties
  FROM ev
  LEFT JOIN organisation o ON o.id = ev.organisation_id
  LEFT JOIN app_user u ON u.id = ev.actor_id
  LEFT JOIN team tm ON tm.id = ev.team_id
 WHERE :all OR :viewerOrg = ANY(ev.parties)
 ORDER BY ev.at, ev.kind, ev.subject_id`;

const ACCESSES_SQL = `
SELECT a.organisation_id, o.name AS organisation_name, o.type AS organisation_type, role, a.actor_id, u.name AS actor_name,
       count(*)::int AS n, min(a.occurred_at) AS first, max(a.occurred_at) AS last
  FROM audit_event a
  CROSS JOIN LATERAL unnest(CASE WHEN cardinality(a.actor_roles) = 0 THEN ARRAY[a.actor_kind::text] ELSE a.actor_roles END) AS role
  LEFT JOIN organisation o ON o.id = a.organisation_id
  LEFT JOIN app_user u ON u.id = a.actor_id
 WHERE a.child_ids @> ARRAY[CAST(:child AS uuid)] AND a.outcome = 'allowed'
 GROUP BY a.organisation_id, o.name, o.type, role, a.actor_id, u.name
 ORDER BY min(a.occurred_at)`;

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * Who knew what, and when, about one child: every concern, referral move, decision (with who and
 * why), request and its answer (disclosed or declined), every missed deadline and escalation (who
 * was told, who read it), every clock handed from one holder to another, and which organisations
 * and roles opened the record, read off the
 * workflows' tables, the kernel's deadlines and the audit log.
 */
@Injectable()
export class TimelineService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly clock: Clock,
    private readonly sealer: AuditSealer,
    private readonly verifier: AuditVerifier,
  ) {}

  async timeline(ctx: AccessContext, childId: string): Promise<Timeline> {
    return this.db.transaction((tx) => this.build(tx, ctx, childId, 'oversight.timeline'));
  }

  /** The timeline as CSV or PDF, naming the audit-chain head it was built from; its hash recorded. */
  async export(
    ctx: AccessContext,
    childId: string,
    format: 'csv' | 'pdf',
  ): Promise<{ id: string; body: Buffer; sha256: string; auditHead: string | null }> {
    // Seal what is pending first, so the head names everything recorded before this export.
    while ((await this.sealer.sealPending()) > 0) {
      // until nothing is left (or another sealer holds the lock: it is sealing them)
    }
    const head = await this.verifier.head();
    const auditHead = head ? `${head.sealSeq}:${head.hash}` : null;
    return this.db.transaction(async (tx) => {
      const timeline = await this.build(tx, ctx, childId, 'oversight.timeline_export');
      const id = randomUUID();
      const body = format === 'csv' ? toCsv(timeline, id, auditHead) : await toPdf(timeline, id, auditHead);
      const sha256 = createHash('sha256').update(body).digest('hex');
      await namedQuery(
        tx,
        `INSERT INTO oversight_export (id, child_id, organisation_id, created_by, format, sha256, audit_head_seal_seq,
                                       audit_head_hash, created_at)
         VALUES (:id, :childId, :org, :by, :format, :sha256, :seq, :hash, :now)`,
        {
          id,
          childId,
          org: ctx.actor.organisationId,
          by: ctx.actor.id,
          format,
          sha256,
          seq: head?.sealSeq ?? null,
          hash: head?.hash ?? null,
          now: this.clock.now(),
        },
      );
      // The export's hash goes into the chain itself: a later reader checks the document against it.
      await this.record.recordStep(tx, ctx, 'oversight.export', 'OversightTimeline', [id], childId, {
        format,
        sha256,
        auditHead,
      });
      return { id, body, sha256, auditHead };
    });
  }

  private async build(tx: EntityManager, ctx: AccessContext, childId: string, action: string): Promise<Timeline> {
    // Under the actor's scope, or 404 exactly as for a child that does not exist.
    await this.record.requireChild(tx, ctx, childId);
    await this.record.recordStep(tx, ctx, action, 'OversightTimeline', [childId], childId);
    // Inspectors and the partnership's review lead see every agency's steps; a data protection
    // officer those its own organisation took part in.
    const all = ctx.actor.roles.some((r) => r === 'inspector' || r === 'review_lead');
    const rows = await namedQuery<EventRow>(tx, EVENTS_SQL, {
      child: childId,
      all,
      viewerOrg: ctx.actor.organisationId,
    });
    const events = await Promise.all(rows.map((r) => this.event(tx, r)));
    const named = ctx.ability.can('read', 'AccessLogDetail');
    const access = await namedQuery<{
      organisation_id: string;
      organisation_name: string | null;
      organisation_type: string | null;
      role: string;
      actor_id: string;
      actor_name: string | null;
      n: number;
      first: Date;
      last: Date;
    }>(tx, ACCESSES_SQL, { child: childId });
    const byOrgRole = new Map<string, TimelineAccess>();
    for (const a of access) {
      const key = `${a.organisation_id}/${a.role}`;
      let entry = byOrgRole.get(key);
      if (!entry) {
        entry = {
          organisation: { id: a.organisation_id, name: a.organisation_name, type: a.organisation_type },
          role: a.role,
          count: 0,
          first: iso(a.first),
          last: iso(a.last),
          ...(named ? { people: [] } : {}),
        };
        byOrgRole.set(key, entry);
      }
      entry.count += a.n;
      if (iso(a.first) < entry.first) entry.first = iso(a.first);
      if (iso(a.last) > entry.last) entry.last = iso(a.last);
      entry.people?.push({ id: a.actor_id, name: a.actor_name, count: a.n, first: iso(a.first), last: iso(a.last) });
    }
    return { childId, generatedAt: iso(this.clock.now()), events, accesses: [...byOrgRole.values()] };
  }

  private async event(tx: EntityManager, r: EventRow): Promise<TimelineEvent> {
    const e: TimelineEvent = {
      at: iso(r.at),
      kind: r.kind,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      organisation: r.organisation_id ? { id: r.organisation_id, name: r.organisation_name } : null,
      actor: r.actor_id ? { id: r.actor_id, name: r.actor_name } : null,
      what: r.what,
      why: r.why,
    };
    if (r.level !== null && r.organisation_type && r.organisation_id) {
      const readBy = await namedQuery<{ name: string | null; at: Date }>(
        tx,
        `SELECT u.name, nr.read_at AS at FROM notification n
           JOIN notification_read nr ON nr.notification_id = n.id JOIN app_user u ON u.id = nr.user_id
          WHERE n.subject_id = :subject AND n.kind = :kind AND n.organisation_id = :org ORDER BY nr.read_at`,
        { subject: r.subject_id, kind: r.kind, org: r.organisation_id },
      );
      e.told = {
        roles: [...escalationAudience(r.what ?? '', r.organisation_type)],
        team: r.level === 1 ? r.team_name : null,
        readBy: readBy.map((x) => ({ name: x.name, at: iso(x.at) })),
      };
    }
    return e;
  }
}

const CSV_COLUMNS = ['at', 'kind', 'organisation', 'actor', 'what', 'why', 'told', 'subject_type', 'subject_id'];

function csvCell(value: string | null | undefined): string {
  const v = value ?? '';
  // Quote everything; a leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

function toldText(e: TimelineEvent): string {
  if (!e.told) return '';
  const read = e.told.readBy.map((r) => `${r.name ?? '?'} read ${r.at}`).join('; ');
  return `${e.told.roles.join('/')}${e.told.team ? ` of ${e.told.team}` : ''}${read ? ` (${read})` : ''}`;
}

export function toCsv(t: Timeline, exportId: string, auditHead: string | null): Buffer {
  const lines = [
    `# Who knew what and when: child ${t.childId}; export ${exportId}; generated ${t.generatedAt}`,
    `# Audit chain head: ${auditHead ?? 'none sealed yet'} (check: npm run audit:verify -- --anchor ${auditHead ?? '<head>'})`,
    CSV_COLUMNS.join(','),
    ...t.events.map((e) =>
      [e.at, e.kind, e.organisation?.name, e.actor?.name, e.what, e.why, toldText(e), e.subjectType, e.subjectId]
        .map(csvCell)
        .join(','),
    ),
    '',
    'organisation,role,accesses,first,last,people',
    ...t.accesses.map((a) =>
      [
        a.organisation.name,
        a.role,
        String(a.count),
        a.first,
        a.last,
        (a.people ?? []).map((p) => `${p.name ?? p.id} (${p.count})`).join('; '),
      ]
        .map(csvCell)
        .join(','),
    ),
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function toPdf(t: Timeline, exportId: string, auditHead: string | null): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: { Title: `Who knew what and when: child ${t.childId}`, CreationDate: new Date(t.generatedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.fontSize(16).text('Who knew what, and when');
  doc.fontSize(9).text(`Child ${t.childId}. Export ${exportId}, generated ${t.generatedAt}.`);
  doc.text(`Built from the audit chain up to ${auditHead ?? '(nothing sealed yet)'}.`);
  doc.text('Check the chain with: npm run audit:verify -- --anchor <the head above>.');
  doc.moveDown();
  doc.fontSize(12).text('Events, in time order');
  doc.fontSize(9);
  for (const e of t.events) {
    doc.text(
      `${e.at}  ${e.kind}  ${e.organisation?.name ?? ''}${e.actor ? ` (${e.actor.name ?? e.actor.id})` : ''}` +
        `${e.what ? `: ${e.what}` : ''}${e.why ? `. Why: ${e.why}` : ''}${e.told ? `. Told: ${toldText(e)}` : ''}`,
    );
  }
  doc.moveDown();
  doc.fontSize(12).text('Who opened the record');
  doc.fontSize(9);
  for (const a of t.accesses) {
    doc.text(`${a.organisation.name ?? a.organisation.id}, ${a.role}: ${a.count} (first ${a.first}, last ${a.last})`);
    for (const p of a.people ?? []) doc.text(`    ${p.name ?? p.id}: ${p.count} (first ${p.first}, last ${p.last})`);
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
