import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, can, openBetween } from '@app/access';
import { type ChildDetails, Deadlines, SharedRecord, Timescales } from '@app/casework';
import { ChildError } from '@app/children';
import { Clock, DomainError } from '@app/platform';
import { OPEN_REFERRAL_STATUSES, urgencyOf } from './referral-state';
import type { CsOutcome, Rag, ReferralStatus } from './referral.entity';
import type { ReferralRow, ReferralView } from './referral-view';
import type { DecisionDto, TriageDto } from './referrals.dto';
import { ReferralError } from './referrals.errors';
import { ReferralsRepository } from './referrals.repository';
import { ACCEPTING_OUTCOMES, CHECKS_TIMESCALE, OUTCOME_WORDS, referralClock } from './referrals.rules';
import { TransitionReferralService } from './transition-referral.service';

/** Children's services on a referral it received: triage (a RAG for the partner checks), then one decision. */
@Injectable()
export class TriageAndDecisionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReferralsRepository,
    private readonly transitions: TransitionReferralService,
    private readonly record: SharedRecord,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly clock: Clock,
  ) {}

  /** Children's services triage: a RAG for the partner checks; changing the referrer's RAG needs a reason. */
  async triage(ctx: AccessContext, id: string, dto: TriageDto): Promise<ReferralView> {
    return this.db.transaction(async (tx) => {
      const row = await this.repo.lockForTransition(tx, ctx, id, this.clock.now());
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
        await this.transitions.apply(tx, ctx, row, 'ACKNOWLEDGED', 'Triage started', row.childId);
      await this.repo.setTriage(tx, id, {
        triageRag: rag,
        triagedAt: now,
        urgency: urgencyOf(row.immediateDanger, rag),
        dueAt,
      });
      if (row.childId) {
        await this.record.addEntry(tx, ctx, row.childId, {
          category: 'referral',
          summary: `MASH triage: RAG ${rag}${rag !== previous ? ` (was ${previous})` : ''}.`,
          sensitivity: 'social-care',
          shareable: true,
        });
      }
      await this.record.recordStep(tx, ctx, 'referral.triage', 'Referral', [id], row.childId, {
        rag,
        previous,
        reason: dto.reason ?? null,
      });
      return this.repo.view(tx, ctx, id, this.clock.now());
    });
  }

  /**
   * Children's services decision: one outcome with reasons; the referrer is told; it goes to the
   * child's multi-agency chronology. A referral about a child not yet identified is decided all the
   * same: the decider names the child, or it is found or registered from what is known, whenever
   * the outcome keeps children's services working with the child (which then leads).
   */
  async decide(ctx: AccessContext, id: string, dto: DecisionDto): Promise<ReferralView> {
    // A decision that would link a child another agency holds is refused first, in a transaction of
    // its own, so that the match reference it answers with (and the holders' notice) is kept.
    const refused = await this.db.transaction(async (tx) => {
      const row = await this.repo.requireReferral(tx, ctx, id, this.clock.now());
      if (!can(ctx.ability, 'triage', 'Referral', row)) return null;
      if (row.childId || dto.childId || dto.matchReference) return null;
      const outcome = dto.outcome as CsOutcome;
      if (!ACCEPTING_OUTCOMES.includes(outcome) && !dto.child) return null;
      return this.record.judgeMatch(tx, ctx, this.decisionIdentity(row, dto), 'child.');
    });
    if (refused?.kind === 'held') throw ChildError.possibleMatch(refused.reference, refused.heldBy);
    return this.db.transaction(async (tx) => {
      const row = await this.repo.lockForTransition(tx, ctx, id, this.clock.now());
      if (!can(ctx.ability, 'triage', 'Referral', row))
        throw DomainError.forbidden('Your role may not decide on referrals.');
      if (!OPEN_REFERRAL_STATUSES.includes(row.status as ReferralStatus))
        throw ReferralError.alreadyDecided(row.status);
      const outcome = dto.outcome as CsOutcome;
      const now = this.clock.now();
      const accepting = ACCEPTING_OUTCOMES.includes(outcome);
      const childId = await this.childForDecision(tx, ctx, row, dto, accepting);
      if (row.status === 'SUBMITTED')
        await this.transitions.apply(tx, ctx, row, 'ACKNOWLEDGED', 'Decision', row.childId);
      await this.repo.setOutcome(tx, id, { outcome, outcomeReason: dto.reason, decidedAt: now });
      await this.transitions.apply(
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
      await this.record.recordStep(tx, ctx, 'referral.decide', 'Referral', [id], childId, { outcome });
      return this.repo.view(tx, ctx, id, this.clock.now());
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
}
