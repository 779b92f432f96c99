import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, can, openBetween } from '@app/access';
import { Deadlines, Events, Notifier, SharedRecord } from '@app/casework';
import { Clock, DomainError } from '@app/platform';
import { allowedTransitions, OPEN_REFERRAL_STATUSES, REFERRAL_TRANSITIONS, type Side } from './referral-state';
import type { CsOutcome, ReferralStatus } from './referral.entity';
import type { ReferralRow, ReferralView } from './referral-view';
import type { TransitionDto } from './referrals.dto';
import { ReferralError } from './referrals.errors';
import { ReferralsRepository } from './referrals.repository';
import { OUTCOME_WORDS, REFERRAL_SENDERS, referralClock } from './referrals.rules';

/**
 * Moving a referral through its state machine: the receiver acknowledges, accepts, declines or
 * closes; the sender withdraws. `apply` is the one step every move takes (triage and decisions too).
 */
@Injectable()
export class TransitionReferralService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReferralsRepository,
    private readonly record: SharedRecord,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  /** Moves a referral through the transition table; an illegal move is 409 naming the allowed ones. */
  async transition(ctx: AccessContext, id: string, dto: TransitionDto): Promise<ReferralView> {
    const to = dto.to as ReferralStatus;
    return this.db.transaction(async (tx) => {
      const row = await this.repo.lockForTransition(tx, ctx, id, this.clock.now());
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
      await this.apply(tx, ctx, row, to, dto.reason ?? null, childId);
      return this.repo.view(tx, ctx, id, this.clock.now());
    });
  }

  /**
   * One move of a referral, in the caller's transaction: the status and its history row; a closed
   * referral's clocks and triage stop; an accepted one opens the receiver's involvement; the sender
   * is told; the event, chronology entry and audit step are written.
   */
  async apply(
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
    await this.repo.setStatus(tx, row.id, {
      status: to,
      childId,
      ...(to === 'DECLINED' ? { declineReason: reason } : {}),
      ...(open ? {} : { dueAt: null }),
    });
    await this.repo.recordTransition(tx, {
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
      row.fromActorId && (await this.repo.isActiveUser(tx, row.fromActorId))
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
    await this.record.recordStep(tx, ctx, 'referral.transition', 'Referral', [row.id], childId, {
      from: row.status,
      to,
    });
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
}
