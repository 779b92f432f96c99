import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, can, columnsFrom, openBetween, rolesAllowed } from '@app/access';
import {
  type ChildDetails,
  Deadlines,
  type DeadlineSubject,
  Events,
  Notifier,
  requireScoped,
  SharedRecord,
  type TimescaleKey,
  Timescales,
} from '@app/casework';
import { ChildError, childHiddenColumn, childHiddenField, childKnownSql } from '@app/children';
import {
  Clock,
  decodeCursor,
  DomainError,
  type FieldError,
  namedQuery,
  type OrganisationType,
  type Page,
  toPage,
} from '@app/platform';
import {
  allowedTransitions,
  OPEN_REFERRAL_STATUSES,
  REFERRAL_TRANSITIONS,
  type Side,
  urgencyOf,
} from './referral-state';
import {
  Concern,
  type CsOutcome,
  type Rag,
  Referral,
  ReferralConcern,
  type ReferralStatus,
  ReferralTransition,
} from './referral.entity';
import { ReferralError } from './referrals.errors';
import type {
  ConcernDecisionDto,
  ConcernDto,
  ConcernInboxQuery,
  CreateConcernDto,
  CreateReferralDto,
  DecisionDto,
  ReferralDto,
  ReferralListQuery,
  SubjectDto,
  TransitionDto,
  TriageDto,
} from './referrals.dto';

/** The team of each kind of organisation that triages its own staff's concerns. */
export const LEAD_TEAM_FUNCTION: Record<string, string> = {
  school: 'safeguarding',
  local_authority: 'mash',
  police_force: 'cse_unit',
  health: 'safeguarding',
};

/** The timescale of MASH partner checks after triage, by RAG. */
const CHECKS_TIMESCALE: Record<Rag, TimescaleKey> = {
  RED: 'mash.checks.red',
  AMBER: 'mash.checks.amber',
  GREEN: 'mash.checks.green',
};

const concernClock = (id: string): DeadlineSubject => ({ type: 'Concern', id });
const referralClock = (id: string): DeadlineSubject => ({ type: 'Referral', id });

/** Who handles what: notifications about an item go only to roles that may act on it. */
const CONCERN_DECIDERS = rolesAllowed('update', 'Concern');
const REFERRAL_RECEIVERS = rolesAllowed('receive', 'Referral');
const REFERRAL_SENDERS = rolesAllowed('withdraw', 'Referral');

/** Each outcome as the chronology and the referrer read it. */
const OUTCOME_WORDS: Record<CsOutcome, string> = {
  NO_FURTHER_ACTION: 'no further action',
  ADVICE: 'advice given',
  EARLY_HELP: 'early help',
  S17_ASSESSMENT: 'child and family assessment (s17)',
  STRATEGY_DISCUSSION: 'strategy discussion (significant harm suspected)',
  IMMEDIATE_PROTECTION: 'immediate protection',
};

/** Outcomes after which the council keeps working with the child (its involvement opens). */
const ACCEPTING_OUTCOMES: CsOutcome[] = ['EARLY_HELP', 'S17_ASSESSMENT', 'STRATEGY_DISCUSSION', 'IMMEDIATE_PROTECTION'];

const REFERRAL_COLUMNS = `
  r.id, r.status, r.child_id AS "childId", r.reason, r.rag, r.immediate_danger AS "immediateDanger",
  r.consent_obtained AS "consentObtained", r.no_consent_reason AS "noConsentReason", r.lawful_basis AS "lawfulBasis",
  r.decline_reason AS "declineReason", r.triage_rag AS "triageRag", r.outcome, r.outcome_reason AS "outcomeReason",
  r.decided_at AS "decidedAt", r.due_at AS "dueAt", r.version, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
  r.urgency, r.from_organisation_id AS "fromOrganisationId", r.to_organisation_id AS "toOrganisationId",
  r.to_team_id AS "toTeamId", r.from_actor_id AS "fromActorId", tor.type AS "toOrganisationType",
  fo.type AS "fromOrganisationType",
  ${childHiddenColumn('r.child_id', 'viewerId')} AS "childHiddenFrom",
  json_build_object('id', fo.id, 'name', fo.name) AS "from",
  json_build_object('id', tor.id, 'name', tor.name) AS "to",
  json_build_object('id', tt.id, 'name', tt.name) AS "toTeam",
  json_build_object('givenName', r.subject_given_name, 'familyName', r.subject_family_name,
    'dateOfBirth', to_char(r.subject_date_of_birth, 'YYYY-MM-DD'), 'approximateAge', r.subject_approximate_age,
    'address', r.subject_address, 'school', r.subject_school) AS subject,
  (r.due_at IS NOT NULL AND r.due_at < :now AND r.status IN ('SUBMITTED', 'ACKNOWLEDGED')) AS overdue,
  (r.to_organisation_id = :viewerOrg
    OR ${childKnownSql('r.child_id', { org: 'viewerOrg', user: 'viewerId', now: 'now' })}) AS "childKnown"`;

const REFERRAL_FROM = `referral r
  JOIN organisation fo ON fo.id = r.from_organisation_id
  JOIN organisation tor ON tor.id = r.to_organisation_id
  JOIN team tt ON tt.id = r.to_team_id`;

const CONCERN_COLUMNS = `
  c.id, c.organisation_id AS "organisationId", c.reporter_id AS "reporterId", c.child_id AS "childId",
  json_build_object('givenName', c.subject_given_name, 'familyName', c.subject_family_name,
    'dateOfBirth', to_char(c.subject_date_of_birth, 'YYYY-MM-DD'), 'approximateAge', c.subject_approximate_age,
    'address', c.subject_address, 'school', c.subject_school) AS subject,
  c.category, c.what_was_seen AS "whatWasSeen", c.childs_words AS "childsWords", c.occurred_at AS "occurredAt",
  c.immediate_danger AS "immediateDanger", c.status, c.decision_reason AS "decisionReason", c.decided_at AS "decidedAt",
  c.due_at AS "dueAt", c.urgency, c.created_at AS "createdAt",
  (c.status = 'OPEN' AND c.due_at < :now) AS overdue,
  ${childHiddenColumn('c.child_id', 'viewerId')} AS "childHiddenFrom"`;

type ReferralRow = ReferralDto & {
  urgency: number;
  fromOrganisationId: string;
  toOrganisationId: string;
  toTeamId: string;
  fromActorId: string;
  toOrganisationType: OrganisationType;
  fromOrganisationType: OrganisationType;
  childKnown: boolean;
  childHiddenFrom: string[];
};
type ConcernRow = ConcernDto & { urgency: number; childHiddenFrom: string[] };

const subjectColumns = (s: SubjectDto | undefined) => ({
  givenName: s?.givenName ?? null,
  familyName: s?.familyName ?? null,
  dateOfBirth: s?.dateOfBirth ?? null,
  approximateAge: s?.approximateAge ?? null,
  address: s?.address ?? null,
  school: s?.school ?? null,
});

const strip = <
  T extends {
    urgency?: number;
    fromOrganisationId?: string;
    toOrganisationId?: string;
    toTeamId?: string;
    fromActorId?: string;
    toOrganisationType?: string;
    fromOrganisationType?: string;
    childHiddenFrom?: string[];
  },
>(
  row: T,
) => {
  const {
    urgency: _u,
    fromOrganisationId: _f,
    toOrganisationId: _t,
    toTeamId: _tt,
    fromActorId: _fa,
    toOrganisationType: _ot,
    fromOrganisationType: _fot,
    childHiddenFrom: _h,
    ...rest
  } = row;
  return rest;
};

/** Condition fields of referrals and concerns: their columns, and whether they name a hidden child. */
const referralFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(Referral).metadata, 'r', { childHiddenFrom: childHiddenField('r.child_id') });
const concernFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(Concern).metadata, 'c', { childHiddenFrom: childHiddenField('c.child_id') });

/** Where a referral view keeps the stored child id for auditing (not serialised). */
const CHILD_ID = Symbol('childId');

/**
 * A referral as its viewer may see it. The child's id goes to the receiving organisation and to
 * an organisation that already works with the child; a sender who referred by match reference
 * (a child another agency holds) learns nothing of that record, not even its id.
 */
const presentReferral = (row: ReferralRow): ReferralDto => {
  const { childKnown, ...rest } = strip(row);
  return { ...rest, childId: childKnown ? rest.childId : null } as ReferralDto;
};

/**
 * Concerns and referrals between agencies: each step checks the policy, moves the state machine,
 * sets the clocks, and writes its chronology entry, audit event and notifications in one transaction.
 */
@Injectable()
export class ReferralsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  // ---------- concerns ----------

  /**
   * `vouch`: for a module that names the child on its own authority (a school's pupil on its roll,
   * named by a teacher who never reads the record), the check that replaces reading the record;
   * it runs in the concern's transaction and throws to refuse.
   */
  async createConcern(
    ctx: AccessContext,
    dto: CreateConcernDto,
    vouch?: (tx: EntityManager) => Promise<void>,
  ): Promise<ConcernDto> {
    this.requireChildOrSubject(dto.childId, dto.subject, true);
    return this.db.transaction(async (tx) => {
      // Naming a child writes onto its record: only an organisation working with it may.
      const named = !dto.childId
        ? null
        : vouch
          ? await vouch(tx).then(async () => ({
              id: dto.childId!,
              restricted: await this.record.isRestricted(tx, dto.childId!),
            }))
          : await this.record.requireChild(tx, ctx, dto.childId, { working: true });
      const now = this.clock.now();
      const dueAt = await this.timescales.due(
        tx,
        ctx.actor.organisationId,
        dto.immediateDanger ? 'concern.immediate_danger' : 'concern.decision',
        now,
      );
      const leadTeam = await this.leadTeamOf(tx, ctx.actor.organisationId, ctx.actor.organisationType);
      const concern = await tx.getRepository(Concern).save(
        tx.getRepository(Concern).create({
          organisationId: ctx.actor.organisationId,
          teamId: leadTeam,
          reporterId: ctx.actor.id,
          childId: dto.childId ?? null,
          subject: subjectColumns(dto.subject),
          category: dto.category as Concern['category'],
          whatWasSeen: dto.whatWasSeen,
          childsWords: dto.childsWords ?? null,
          occurredAt: new Date(dto.occurredAt),
          immediateDanger: dto.immediateDanger,
          status: 'OPEN',
          urgency: urgencyOf(dto.immediateDanger, null),
          dueAt,
        }),
      );
      await this.deadlines.open(tx, {
        subject: concernClock(concern.id),
        rule: 'concern.decision',
        dueAt,
        organisationId: ctx.actor.organisationId,
        teamId: leadTeam,
        childId: concern.childId,
      });
      const notice = {
        kind: dto.immediateDanger ? 'concern.logged.immediate_danger' : 'concern.logged',
        subjectType: 'Concern',
        subjectId: concern.id,
        message: `${dto.immediateDanger ? 'IMMEDIATE DANGER: ' : ''}A new concern needs a decision.`,
      };
      // About a restricted child: only its case team may open the concern, so only it is told.
      if (named?.restricted) {
        const team = await this.record.caseTeamOf(tx, named.id);
        await this.notifier.send(
          tx,
          { organisationId: ctx.actor.organisationId, userIds: await this.usersOf(tx, team, ctx.actor.organisationId) },
          notice,
        );
      } else {
        await this.notifier.send(
          tx,
          { organisationId: ctx.actor.organisationId, teamId: leadTeam, roles: CONCERN_DECIDERS },
          notice,
        );
      }
      if (concern.childId) {
        await this.record.addEntry(tx, ctx, concern.childId, {
          category: 'concern',
          summary: `Concern logged (${dto.category.replace(/_/g, ' ')})${dto.immediateDanger ? ': immediate danger' : ''}.`,
          shareable: false,
        });
      }
      await this.audit(tx, ctx, 'concern.create', 'Concern', [concern.id], concern.childId);
      return this.viewConcern(tx, ctx, concern.id);
    });
  }

  async getConcern(ctx: AccessContext, id: string): Promise<ConcernDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadConcern(tx, ctx, id, 'read');
      await this.audit(tx, ctx, 'concern.read', 'Concern', [id], row.childId);
      return strip(row) as ConcernDto;
    });
  }

  /** The concern as a write left it, for the writer's response (the write's own event covers it). */
  private async viewConcern(tx: EntityManager, ctx: AccessContext, id: string): Promise<ConcernDto> {
    return strip(await this.loadConcern(tx, ctx, id, 'read')) as ConcernDto;
  }

  async decideConcern(ctx: AccessContext, id: string, dto: ConcernDecisionDto): Promise<ConcernDto> {
    if (dto.decision === 'NO_FURTHER_ACTION' && !dto.reason) {
      throw DomainError.validation([{ field: 'reason', message: 'reason is required for no further action' }]);
    }
    return this.db.transaction(async (tx) => {
      const row = await this.loadConcern(tx, ctx, id, 'update', true);
      if (row.status !== 'OPEN' && row.status !== 'MONITOR') throw ReferralError.concernAlreadyDecided(row.status);
      const now = this.clock.now();
      await tx
        .getRepository(Concern)
        .update(
          { id },
          { status: dto.decision, decisionReason: dto.reason ?? null, decidedBy: ctx.actor.id, decidedAt: now },
        );
      // Decided, even to monitor: the lead's decision was due, and it is made.
      await this.deadlines.close(tx, concernClock(id), 'met');
      if (row.childId) {
        await this.record.addEntry(tx, ctx, row.childId, {
          category: 'decision',
          summary: `Concern decision: ${dto.decision === 'MONITOR' ? 'monitor' : 'no further action'}.`,
          shareable: false,
        });
      }
      await this.audit(tx, ctx, 'concern.decide', 'Concern', [id], row.childId, { decision: dto.decision });
      return this.viewConcern(tx, ctx, id);
    });
  }

  async concernInbox(ctx: AccessContext, q: ConcernInboxQuery): Promise<Page<ConcernDto>> {
    const limit = q.limit ?? 50;
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'update', 'Concern', concernFields(tx), 'cn');
      const where = [scope.sql, 'c.organisation_id = :org'];
      const params: Record<string, unknown> = {
        ...scope.params,
        org: ctx.actor.organisationId,
        viewerId: ctx.actor.id,
        now,
        limit: limit + 1,
      };
      where.push(q.status ? 'c.status = :status' : `c.status IN ('OPEN', 'MONITOR')`);
      if (q.status) params.status = q.status;
      if (q.overdue === 'true') where.push(`c.status = 'OPEN' AND c.due_at < :now`);
      if (q.overdue === 'false') where.push(`NOT (c.status = 'OPEN' AND c.due_at < :now)`);
      const after = decodeCursor(q.cursor, ['integer', 'timestamp', 'uuid']);
      if (after) {
        Object.assign(params, { cu: after[0], cd: new Date(after[1]), ci: after[2] });
        where.push('(c.urgency, c.due_at, c.id) > (:cu, :cd, :ci)');
      }
      const rows = await namedQuery<ConcernRow>(
        tx,
        `SELECT ${CONCERN_COLUMNS} FROM concern c WHERE ${where.join(' AND ')}
          ORDER BY c.urgency, c.due_at, c.id LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [r.urgency, new Date(r.dueAt).toISOString(), r.id]);
      await this.auditList(tx, ctx, 'concern.list', 'Concern', page.data);
      return { data: page.data.map((r) => strip(r) as ConcernDto), nextCursor: page.nextCursor };
    });
  }

  private async loadConcern(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read' | 'update',
    lock = false,
  ) {
    return requireScoped<ConcernRow>(tx, ctx, {
      action,
      subject: 'Concern',
      fields: concernFields(tx),
      prefix: 'cn',
      sql: (scope) =>
        `SELECT ${CONCERN_COLUMNS} FROM concern c WHERE c.id = :id AND ${scope} ${lock ? 'FOR UPDATE' : ''}`,
      params: { id, now: this.clock.now(), viewerId: ctx.actor.id },
      notFound: ReferralError.concernNotFound,
    });
  }

  // ---------- referrals ----------

  async createReferral(ctx: AccessContext, dto: CreateReferralDto): Promise<ReferralDto> {
    this.requireChildOrSubject(dto.childId ?? dto.matchReference, dto.subject, false);
    if (!dto.consentObtained && (!dto.noConsentReason || !dto.lawfulBasis)) {
      const errors: FieldError[] = [];
      if (!dto.noConsentReason)
        errors.push({ field: 'noConsentReason', message: 'noConsentReason is required when consent was not obtained' });
      if (!dto.lawfulBasis)
        errors.push({ field: 'lawfulBasis', message: 'lawfulBasis is required when consent was not obtained' });
      throw DomainError.validation(errors);
    }
    return this.db.transaction(async (tx) => {
      const team = (
        await namedQuery<{ id: string; organisation_id: string; type: string; name: string; org_name: string }>(
          tx,
          `SELECT t.id, t.organisation_id, o.type, t.name, o.name AS org_name FROM team t JOIN organisation o ON o.id = t.organisation_id
            WHERE t.id = :id AND t.organisation_id <> :me`,
          { id: dto.toTeamId, me: ctx.actor.organisationId },
        )
      )[0];
      if (!team) throw ReferralError.unknownTeam();

      let childId: string | null = null;
      let subject = subjectColumns(dto.subject);
      if (dto.childId) {
        // Referring a child by its record opens triage for another team and writes onto the record:
        // only an organisation working with the child may (a disclosure or triage only reads).
        const child = await this.record.requireChild(tx, ctx, dto.childId, { working: true });
        childId = child.id;
        // A restricted child stays with its case team: refer only to a team someone of it can work in.
        if (child.restricted && !(await this.record.caseTeamWorksIn(tx, child.id, team.organisation_id))) {
          throw ReferralError.restrictedChild();
        }
        // The referral shares who the child is, as far as the referrer itself may read it.
        const seen = this.record.identityOf(ctx, child);
        subject = {
          ...subject,
          givenName: seen.givenName ?? subject.givenName,
          familyName: seen.familyName ?? subject.familyName,
          dateOfBirth: seen.dateOfBirth ?? subject.dateOfBirth,
        };
      } else if (dto.matchReference) {
        const matched = await this.record.childOfMatchReference(tx, ctx, dto.matchReference);
        // A child restricted since the match is referred as an unknown one; its case team is told.
        if (await this.record.isRestricted(tx, matched)) {
          await this.record.tellCaseTeam(tx, matched, {
            kind: 'child.linked',
            message:
              'A referral was sent about a child who may be this restricted child. Review it with the case team.',
          });
        } else {
          childId = matched;
        }
      }

      const concerns = dto.concernIds ?? [];
      if (concerns.length) {
        const scope = abilityToSql(ctx.ability, 'update', 'Concern', concernFields(tx), 'cn');
        const found = await namedQuery<{ id: string }>(
          tx,
          `SELECT c.id FROM concern c WHERE c.id = ANY(:ids) AND c.status IN ('OPEN', 'MONITOR') AND ${scope.sql} FOR UPDATE`,
          { ...scope.params, ids: concerns },
        );
        if (found.length !== concerns.length) {
          throw DomainError.validation([
            { field: 'concernIds', message: 'concernIds must be open concerns of your organisation' },
          ]);
        }
      }

      const now = this.clock.now();
      const dueAt = await this.timescales.due(tx, team.organisation_id, 'referral.decision', now);
      const rag = dto.rag as Rag;
      const referral = await tx.getRepository(Referral).save(
        tx.getRepository(Referral).create({
          fromOrganisationId: ctx.actor.organisationId,
          fromActorId: ctx.actor.id,
          toOrganisationId: team.organisation_id,
          toTeamId: team.id,
          childId,
          subject,
          reason: dto.reason,
          rag,
          immediateDanger: dto.immediateDanger ?? false,
          consentObtained: dto.consentObtained,
          noConsentReason: dto.consentObtained ? null : (dto.noConsentReason ?? null),
          lawfulBasis: dto.consentObtained ? null : (dto.lawfulBasis ?? null),
          status: 'SUBMITTED',
          urgency: urgencyOf(dto.immediateDanger ?? false, rag),
          dueAt,
        }),
      );
      await this.deadlines.open(tx, {
        subject: referralClock(referral.id),
        rule: 'referral.decision',
        dueAt,
        organisationId: team.organisation_id,
        teamId: team.id,
        childId,
      });
      await tx.getRepository(ReferralTransition).insert({
        referralId: referral.id,
        fromStatus: null,
        toStatus: 'SUBMITTED',
        actorId: ctx.actor.id,
        organisationId: ctx.actor.organisationId,
        reason: null,
        at: now,
      });
      if (concerns.length) {
        await tx
          .getRepository(ReferralConcern)
          .insert(concerns.map((concernId) => ({ referralId: referral.id, concernId })));
        await namedQuery(
          tx,
          `UPDATE concern SET status = 'REFERRED', decided_by = :me, decided_at = :now, version = version + 1,
                  child_id = coalesce(child_id, :childId) WHERE id = ANY(:ids)`,
          // A child named by match reference stays unknown to the referrer, its concerns included.
          { me: ctx.actor.id, now, ids: concerns, childId: dto.childId ? childId : null },
        );
        // Referred on: the lead's decision on each concern is made.
        for (const concernId of concerns) await this.deadlines.close(tx, concernClock(concernId), 'met');
      }
      const received = {
        kind: referral.immediateDanger ? 'referral.received.immediate_danger' : 'referral.received',
        subjectType: 'Referral',
        subjectId: referral.id,
        message: `${referral.immediateDanger ? 'IMMEDIATE DANGER: ' : ''}New ${rag} referral for ${team.name}; decision due ${referral.dueAt?.toISOString()}.`,
      };
      // About a restricted child: only the case team's members in the receiving organisation may open it.
      const caseTeam = childId && dto.childId ? await this.record.caseTeamOf(tx, childId) : [];
      await this.notifier.send(
        tx,
        caseTeam.length
          ? { organisationId: team.organisation_id, userIds: await this.usersOf(tx, caseTeam, team.organisation_id) }
          : { organisationId: team.organisation_id, teamId: team.id, roles: REFERRAL_RECEIVERS },
        received,
      );
      if (childId) {
        await this.record.openTriage(tx, childId, {
          id: referral.id,
          organisationId: team.organisation_id,
          teamId: team.id,
        });
        // The duty to collaborate: those working with the child learn of the referral, and the
        // receiving team learns who they are.
        await this.record.tellHolders(tx, ctx, childId, {
          referral: {
            id: referral.id,
            organisationId: team.organisation_id,
            organisationType: team.type as OrganisationType,
            teamId: team.id,
          },
        });
      }
      if (childId && dto.childId) {
        await this.record.addEntry(tx, ctx, childId, {
          category: 'referral',
          summary: `Referral sent to ${team.org_name} (${team.name}), RAG ${rag}.`,
          shareable: true,
          multiAgency: openBetween(ctx.actor.organisationType, team.type as OrganisationType),
        });
      }
      await this.audit(tx, ctx, 'referral.create', 'Referral', [referral.id], childId, {
        consentObtained: dto.consentObtained,
        lawfulBasis: dto.lawfulBasis ?? null,
        toOrganisationId: team.organisation_id,
      });
      return this.viewReferral(tx, ctx, referral.id);
    });
  }

  async getReferral(ctx: AccessContext, id: string): Promise<ReferralDto> {
    return this.db.transaction(async (tx) => {
      const view = await this.viewReferral(tx, ctx, id);
      // The child's access log shows this read even when the answer withholds the child's id.
      await this.audit(tx, ctx, 'referral.read', 'Referral', [id], view[CHILD_ID]);
      return view;
    });
  }

  /** The referral with its history, as a write left it (the write's own event covers the response). */
  private async viewReferral(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
  ): Promise<ReferralDto & { [CHILD_ID]: string | null }> {
    const row = await this.loadReferral(tx, ctx, id, 'read');
    const transitions = await namedQuery(
      tx,
      `SELECT from_status AS "fromStatus", to_status AS "toStatus", organisation_id AS "organisationId", reason, at
         FROM referral_transition WHERE referral_id = :id ORDER BY at, id`,
      { id },
    );
    const view = { ...presentReferral(row), transitions: transitions as unknown as ReferralDto['transitions'] };
    // The stored child id, for the audit record only: a symbol key never reaches the JSON.
    return Object.assign(view, { [CHILD_ID]: row.childId });
  }

  /** Moves a referral through the transition table; an illegal move is 409 naming the allowed ones. */
  async transition(ctx: AccessContext, id: string, dto: TransitionDto): Promise<ReferralDto> {
    const to = dto.to as ReferralStatus;
    return this.db.transaction(async (tx) => {
      const row = await this.loadReferral(tx, ctx, id, 'read', true);
      const side: Side = row.toOrganisationId === ctx.actor.organisationId ? 'receiver' : 'sender';
      const rule = REFERRAL_TRANSITIONS[row.status as ReferralStatus][to];
      const allowed = allowedTransitions(row.status as ReferralStatus, side);
      if (!rule || rule.by !== side) throw ReferralError.illegalTransition(row.status as ReferralStatus, to, allowed);
      const action = side === 'receiver' ? 'receive' : 'withdraw';
      if (!can(ctx.ability, action, 'Referral', row)) {
        throw DomainError.forbidden(
          `Your role may not ${side === 'receiver' ? 'act on received' : 'withdraw'} referrals.`,
        );
      }
      if (rule.reasonRequired && !dto.reason) {
        throw DomainError.validation([{ field: 'reason', message: `reason is required to move a referral to ${to}` }]);
      }
      let childId = row.childId;
      if (to === 'ACCEPTED') childId = await this.linkChildOnAccept(tx, ctx, row.childId, dto.childId);
      await this.applyTransition(tx, ctx, row, to, dto.reason ?? null, childId);
      return this.viewReferral(tx, ctx, id);
    });
  }

  /** Children's services triage: a RAG for the partner checks; changing the referrer's RAG needs a reason. */
  async triage(ctx: AccessContext, id: string, dto: TriageDto): Promise<ReferralDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadReferral(tx, ctx, id, 'read', true);
      if (!can(ctx.ability, 'triage', 'Referral', row))
        throw DomainError.forbidden('Your role may not triage referrals.');
      if (!OPEN_REFERRAL_STATUSES.includes(row.status as ReferralStatus))
        throw ReferralError.alreadyDecided(row.status);
      const rag = dto.rag as Rag;
      const previous = (row.triageRag ?? row.rag) as Rag;
      if (rag !== previous && !dto.reason) {
        throw DomainError.validation([
          { field: 'reason', message: `reason is required to change the RAG from ${previous} to ${rag}` },
        ]);
      }
      const now = this.clock.now();
      const checksDue = await this.deadlines.open(tx, {
        subject: referralClock(id),
        rule: 'mash.checks',
        dueAt: await this.timescales.due(tx, ctx.actor.organisationId, CHECKS_TIMESCALE[rag], now),
        organisationId: row.toOrganisationId,
        teamId: row.toTeamId,
        childId: row.childId,
      });
      // The inbox orders by the earliest clock in force: the decision, or the checks.
      const dueAt = row.dueAt && new Date(row.dueAt) < checksDue ? new Date(row.dueAt) : checksDue;
      if (row.status === 'SUBMITTED')
        await this.applyTransition(tx, ctx, row, 'ACKNOWLEDGED', 'Triage started', row.childId);
      await tx
        .getRepository(Referral)
        .update({ id }, { triageRag: rag, triagedAt: now, urgency: urgencyOf(row.immediateDanger, rag), dueAt });
      if (row.childId) {
        await this.record.addEntry(tx, ctx, row.childId, {
          category: 'referral',
          summary: `MASH triage: RAG ${rag}${rag !== previous ? ` (was ${previous})` : ''}.`,
          sensitivity: 'social-care',
          shareable: true,
        });
      }
      await this.audit(tx, ctx, 'referral.triage', 'Referral', [id], row.childId, {
        rag,
        previous,
        reason: dto.reason ?? null,
      });
      return this.viewReferral(tx, ctx, id);
    });
  }

  /**
   * Children's services decision: one outcome with reasons; the referrer is told; it goes to the
   * child's multi-agency chronology. A referral about a child not yet identified is decided all the
   * same: the decider names the child, or it is found or registered from what is known, whenever
   * the outcome keeps children's services working with the child (which then leads).
   */
  async decide(ctx: AccessContext, id: string, dto: DecisionDto): Promise<ReferralDto> {
    // A decision that would link a child another agency holds is refused first, in a transaction of
    // its own, so that the match reference it answers with (and the holders' notice) is kept.
    const refused = await this.db.transaction(async (tx) => {
      const row = await this.loadReferral(tx, ctx, id, 'read');
      if (!can(ctx.ability, 'triage', 'Referral', row)) return null;
      if (row.childId || dto.childId || dto.matchReference) return null;
      const outcome = dto.outcome as CsOutcome;
      if (!ACCEPTING_OUTCOMES.includes(outcome) && !dto.child) return null;
      return this.record.judgeMatch(tx, ctx, this.decisionIdentity(row, dto), 'child.');
    });
    if (refused?.kind === 'held') throw ChildError.possibleMatch(refused.reference, refused.heldBy);
    return this.db.transaction(async (tx) => {
      const row = await this.loadReferral(tx, ctx, id, 'read', true);
      if (!can(ctx.ability, 'triage', 'Referral', row))
        throw DomainError.forbidden('Your role may not decide on referrals.');
      if (!OPEN_REFERRAL_STATUSES.includes(row.status as ReferralStatus))
        throw ReferralError.alreadyDecided(row.status);
      const outcome = dto.outcome as CsOutcome;
      const now = this.clock.now();
      const accepting = ACCEPTING_OUTCOMES.includes(outcome);
      const childId = await this.childForDecision(tx, ctx, row, dto, accepting);
      if (row.status === 'SUBMITTED') await this.applyTransition(tx, ctx, row, 'ACKNOWLEDGED', 'Decision', row.childId);
      await tx.getRepository(Referral).update({ id }, { outcome, outcomeReason: dto.reason, decidedAt: now });
      await this.applyTransition(
        tx,
        ctx,
        { ...row, status: 'ACKNOWLEDGED' },
        accepting ? 'ACCEPTED' : 'DECLINED',
        `${outcome}: ${dto.reason}`,
        childId,
        outcome,
      );
      if (childId) {
        await this.record.addEntry(tx, ctx, childId, {
          category: 'decision',
          // The referrer is named only where the multi-agency chronology may name it (tipping off).
          summary: openBetween(row.fromOrganisationType, 'local_authority')
            ? `MASH decision on a referral from ${(row.from as { name: string }).name}: ${OUTCOME_WORDS[outcome]}.`
            : `MASH decision on a referral: ${OUTCOME_WORDS[outcome]}.`,
          sensitivity: 'social-care',
          shareable: true,
          multiAgency: true,
        });
      }
      await this.audit(tx, ctx, 'referral.decide', 'Referral', [id], childId, { outcome });
      return this.viewReferral(tx, ctx, id);
    });
  }

  /** Who a decision registers or finds: the referral's subject, completed by what the decider adds. */
  private decisionIdentity(row: ReferralRow, dto: DecisionDto): ChildDetails {
    const subject = row.subject as { givenName: string | null; familyName: string | null; dateOfBirth: string | null };
    return {
      ...(subject.givenName ? { givenName: subject.givenName } : {}),
      ...(subject.familyName ? { familyName: subject.familyName } : {}),
      ...(subject.dateOfBirth ? { dateOfBirth: subject.dateOfBirth } : {}),
      ...dto.child,
    };
  }

  /**
   * The child a decision is about: the referral's own; one the decider's organisation works with
   * (named by id); one it was given a match reference for (its holders were told then); else, when
   * the outcome needs one, the record the details describe if the decider's organisation already
   * works with it, or a new registration. Another agency's record is never taken over by details
   * alone (the first phase of decide answers 409 with a match reference), and a restricted record is
   * never linked this way (its case team is told, as for any registration that may duplicate it).
   */
  private async childForDecision(
    tx: EntityManager,
    ctx: AccessContext,
    row: ReferralRow,
    dto: DecisionDto,
    needed: boolean,
  ): Promise<string | null> {
    if (row.childId) return row.childId;
    if (dto.childId) return (await this.record.requireChild(tx, ctx, dto.childId, { working: true })).id;
    if (dto.matchReference) {
      const matched = await this.record.childOfMatchReference(tx, ctx, dto.matchReference);
      if (!(await this.record.isRestricted(tx, matched))) return matched;
    } else if (!needed && !dto.child) {
      return null;
    }
    return this.record.findOrRegister(tx, ctx, this.decisionIdentity(row, dto), 'child.');
  }

  /** Users among these who belong to the organisation (e.g. the case team members a notice may go to). */
  private async usersOf(tx: EntityManager, userIds: string[], organisationId: string): Promise<string[]> {
    if (!userIds.length) return [];
    const rows = await namedQuery<{ id: string }>(
      tx,
      'SELECT id FROM app_user WHERE id = ANY(:ids) AND organisation_id = :org AND active',
      { ids: userIds, org: organisationId },
    );
    return rows.map((r) => r.id);
  }

  async inbox(ctx: AccessContext, q: ReferralListQuery): Promise<Page<ReferralDto>> {
    return this.list(ctx, q, 'inbox');
  }

  async sent(ctx: AccessContext, q: ReferralListQuery): Promise<Page<ReferralDto>> {
    return this.list(ctx, q, 'sent');
  }

  private async list(ctx: AccessContext, q: ReferralListQuery, box: 'inbox' | 'sent'): Promise<Page<ReferralDto>> {
    const limit = q.limit ?? 50;
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', 'Referral', referralFields(tx), 'rf');
      const params: Record<string, unknown> = {
        ...scope.params,
        org: ctx.actor.organisationId,
        viewerOrg: ctx.actor.organisationId,
        viewerId: ctx.actor.id,
        now,
        limit: limit + 1,
      };
      const where = [scope.sql, box === 'inbox' ? 'r.to_organisation_id = :org' : 'r.from_organisation_id = :org'];
      if (box === 'inbox' && q.scope !== 'organisation' && ctx.actor.teamId) {
        where.push('r.to_team_id = :team');
        params.team = ctx.actor.teamId;
      }
      if (q.status) {
        where.push('r.status = :status');
        params.status = q.status;
      } else if (box === 'inbox') {
        where.push(`r.status IN ('SUBMITTED', 'ACKNOWLEDGED')`);
      }
      if (q.rag) {
        where.push('coalesce(r.triage_rag, r.rag) = :rag');
        params.rag = q.rag;
      }
      const openOnly = box === 'inbox' && !q.status;
      // When the list is already the open inbox, repeating the status test only misleads the planner.
      if (q.overdue === 'true')
        where.push(openOnly ? 'r.due_at < :now' : `r.status IN ('SUBMITTED', 'ACKNOWLEDGED') AND r.due_at < :now`);
      if (q.overdue === 'false') {
        where.push(
          openOnly ? 'NOT (r.due_at < :now)' : `NOT (r.status IN ('SUBMITTED', 'ACKNOWLEDGED') AND r.due_at < :now)`,
        );
      }
      let order: string;
      let cursorOf: (r: ReferralRow) => unknown[];
      if (box === 'inbox') {
        order = 'r.urgency, r.due_at, r.id';
        cursorOf = (r) => [r.urgency, r.dueAt ? new Date(r.dueAt).toISOString() : null, r.id];
        const after = decodeCursor(q.cursor, ['integer', 'timestamp?', 'uuid']);
        if (after) {
          // A null due date becomes the epoch, as before cursors were checked (see the report on #10).
          Object.assign(params, { cu: after[0], cd: new Date(after[1] ?? 0), ci: after[2] });
          where.push('(r.urgency, r.due_at, r.id) > (:cu, :cd, :ci)');
        }
      } else {
        order = 'r.created_at DESC, r.id DESC';
        cursorOf = (r) => [new Date(r.createdAt).toISOString(), r.id];
        const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
        if (after) {
          Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
          where.push('(r.created_at, r.id) < (:cc, :ci)');
        }
      }
      // Choose the page on the bare rows first, then build the JSON for those rows only.
      const rows = await namedQuery<ReferralRow>(
        tx,
        `SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM}
          WHERE r.id IN (SELECT r.id FROM referral r WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT :limit)
          ORDER BY ${order}`,
        params,
      );
      const page = toPage(rows, limit, cursorOf);
      await this.auditList(tx, ctx, `referral.${box}`, 'Referral', page.data);
      return { data: page.data.map(presentReferral), nextCursor: page.nextCursor };
    });
  }

  // ---------- internals ----------

  private async loadReferral(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read',
    lock = false,
  ): Promise<ReferralRow> {
    return requireScoped<ReferralRow>(tx, ctx, {
      action,
      subject: 'Referral',
      fields: referralFields(tx),
      prefix: 'rf',
      sql: (scope) =>
        `SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM} WHERE r.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF r' : ''}`,
      params: { id, now: this.clock.now(), viewerOrg: ctx.actor.organisationId, viewerId: ctx.actor.id },
      notFound: ReferralError.notFound,
    });
  }

  private async applyTransition(
    tx: EntityManager,
    ctx: AccessContext,
    row: ReferralRow,
    to: ReferralStatus,
    reason: string | null,
    childId: string | null,
    outcome?: CsOutcome,
  ): Promise<void> {
    const now = this.clock.now();
    const open = OPEN_REFERRAL_STATUSES.includes(to);
    await tx.getRepository(Referral).update(
      { id: row.id },
      {
        status: to,
        childId,
        ...(to === 'DECLINED' ? { declineReason: reason } : {}),
        ...(open ? {} : { dueAt: null }),
      },
    );
    await tx.getRepository(ReferralTransition).insert({
      referralId: row.id,
      fromStatus: row.status as ReferralStatus,
      toStatus: to,
      actorId: ctx.actor.id,
      organisationId: ctx.actor.organisationId,
      reason,
      at: now,
    });
    if (!open) {
      // Decided (or withdrawn): its clocks stop, and triage lasts no longer.
      await this.deadlines.close(tx, referralClock(row.id), to === 'WITHDRAWN' ? 'cancelled' : 'met');
      await this.record.closeTriage(tx, row.id);
    }
    if (to === 'ACCEPTED' && childId) {
      await this.record.involve(
        tx,
        childId,
        row.toOrganisationId,
        'referral_accepted',
        `Accepted referral ${row.id}`,
        ctx.actor.id,
        // Children's services accepting a referral becomes the child's lead agency.
        { lead: row.toOrganisationType === 'local_authority' },
      );
    }
    // The sender always hears what became of the referral (the status and outcome, never free text).
    const sender =
      row.fromActorId && (await this.isUser(tx, row.fromActorId))
        ? { organisationId: row.fromOrganisationId, userIds: [row.fromActorId] }
        : { organisationId: row.fromOrganisationId, roles: REFERRAL_SENDERS };
    await this.notifier.send(tx, sender, {
      kind: 'referral.status_changed',
      subjectType: 'Referral',
      subjectId: row.id,
      message: `Your referral to ${(row.to as { name: string }).name} is now ${to}${outcome ? ` (${OUTCOME_WORDS[outcome]})` : ''}.`,
    });
    await this.events.emit(
      tx,
      'referral.status_changed',
      {
        referralId: row.id,
        from: row.status as ReferralStatus,
        to,
        toOrganisation: row.to as { id: string; name: string },
        ...(outcome ? { outcome } : {}),
      },
      { organisationId: row.fromOrganisationId },
    );
    if (childId) {
      await this.record.addEntry(tx, ctx, childId, {
        category: 'referral',
        summary: `Referral from ${(row.from as { name: string }).name}: ${to.toLowerCase()}.`,
        shareable: true,
        multiAgency: openBetween(row.fromOrganisationType, row.toOrganisationType),
      });
    }
    await this.audit(tx, ctx, 'referral.transition', 'Referral', [row.id], childId, { from: row.status, to });
  }

  private async isUser(tx: EntityManager, id: string): Promise<boolean> {
    return (await namedQuery(tx, 'SELECT 1 FROM app_user WHERE id = :id AND active', { id })).length > 0;
  }

  /** Accepting needs to know which child: the referral's, or one the receiver names and can see. */
  private async linkChildOnAccept(
    tx: EntityManager,
    ctx: AccessContext,
    current: string | null,
    named: string | undefined,
  ) {
    if (current) return current;
    if (!named) {
      throw new DomainError(
        'REFERRAL.CHILD_REQUIRED',
        422,
        'Unprocessable Content',
        'Name the child record this referral is about (childId): search for it, or register the child first.',
      );
    }
    await this.record.requireChild(tx, ctx, named);
    return named;
  }

  private requireChildOrSubject(child: string | undefined, subject: SubjectDto | undefined, ageAllowed: boolean): void {
    if (child) return;
    const s = subject ?? {};
    const named = Boolean(s.givenName || s.familyName);
    const dated = Boolean(s.dateOfBirth || (ageAllowed && s.approximateAge !== undefined));
    if (!named && !dated) {
      throw DomainError.validation([
        { field: 'subject', message: 'identify the child: childId, or subject with a name or date of birth' },
      ]);
    }
  }

  private async leadTeamOf(tx: EntityManager, organisationId: string, type: string): Promise<string | null> {
    const rows = await namedQuery<{ id: string }>(
      tx,
      'SELECT id FROM team WHERE organisation_id = :org AND function = :fn ORDER BY name LIMIT 1',
      { org: organisationId, fn: LEAD_TEAM_FUNCTION[type] ?? '' },
    );
    return rows[0]?.id ?? null;
  }

  private audit(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    subjectIds: string[],
    childId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.record.recordStep(tx, ctx, action, subjectType, subjectIds, childId, details);
  }

  private auditList(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    rows: { id: string; childId: string | null }[],
  ): Promise<void> {
    return this.record.recordList(tx, ctx, action, subjectType, rows, { count: rows.length });
  }
}
