import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import {
  type ChildDetails,
  type ChildMatch,
  type ChildOnRecord,
  type ChronologyEntryInput,
  type CollaborationNotice,
  type Holder,
  type InvolvementReason,
  type ReturnIdentifiers,
  SharedRecord,
} from '@app/casework';
import { Clock } from '@app/platform';
import { ChildAccess } from './child-access.service';
import { ChildMatching } from './child-matching.service';
import { entryClassOf, type LoadedChild, presentChild } from './child-rules';
import { ChildrenRepository } from './children.repository';
import { multiAgencyByDefault } from './chronology.entity';
import { Collaboration } from './collaboration.service';
import type { InvolvementBasis } from './involvement.entity';

/** The kernel's list of reasons to work with a child is the record's own (registration aside): kept equal by the compiler. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const INVOLVEMENT_REASONS_AGREE: Same<InvolvementReason, Exclude<InvolvementBasis, 'registered'>> = true;

/**
 * The children module's side of the kernel's SharedRecord: what workflows (referrals, sharing,
 * agency modules) may do on the shared record, and nothing else of the children module.
 */
@Injectable()
export class ChildrenSharedRecord extends SharedRecord {
  constructor(
    private readonly access: ChildAccess,
    private readonly matching: ChildMatching,
    private readonly collaboration: Collaboration,
    private readonly repo: ChildrenRepository,
    private readonly clock: Clock,
  ) {
    super();
  }

  requireChild(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    options: { action?: 'read' | 'update'; working?: boolean } = {},
  ): Promise<ChildOnRecord> {
    return this.access.require(tx, ctx, childId, options);
  }

  identityOf(
    ctx: AccessContext,
    child: ChildOnRecord,
  ): { givenName?: string; familyName?: string; dateOfBirth?: string | null } {
    const seen = presentChild(ctx, child as LoadedChild);
    return { givenName: seen.givenName, familyName: seen.familyName, dateOfBirth: seen.dateOfBirth };
  }

  judgeMatch(tx: EntityManager, ctx: AccessContext, who: ChildDetails, fieldPrefix: string) {
    return this.matching.judgeDecisionMatch(tx, ctx, who, fieldPrefix);
  }

  returnIdentifiers(tx: EntityManager, childIds: string[]): Promise<Map<string, ReturnIdentifiers>> {
    return this.repo.returnIdentifiers(tx, childIds);
  }

  caseTeamOf(tx: EntityManager, childId: string): Promise<string[]> {
    return this.repo.caseTeamOf(tx, childId);
  }

  async isRestricted(tx: EntityManager, childId: string): Promise<boolean> {
    return (await this.repo.restrictedOf(tx, childId)) ?? false;
  }

  planStatusesOf(tx: EntityManager, childId: string): Promise<string[]> {
    return this.repo.planStatusesOf(tx, childId);
  }

  setCouncilStatus(
    tx: EntityManager,
    childId: string,
    councilId: string,
    status: 'child_protection_plan' | 'looked_after' | 'child_in_need_plan' | null,
    since: string | null = null,
  ): Promise<void> {
    return this.repo.setCouncilStatus(tx, childId, councilId, status, since);
  }

  plansByNhsNumber(tx: EntityManager, nhsNumber: string, plans: readonly string[]) {
    return this.repo.plansByNhsNumber(tx, nhsNumber, plans);
  }

  tellCaseTeam(tx: EntityManager, childId: string, notice: { kind: string; message: string }): Promise<void> {
    return this.collaboration.tellCaseTeam(tx, childId, notice);
  }

  childOfMatchReference(tx: EntityManager, ctx: AccessContext, reference: string): Promise<string> {
    return this.matching.childOfMatchReference(tx, ctx, reference);
  }

  findMatch(tx: EntityManager, who: ChildDetails): Promise<ChildMatch | null> {
    return this.matching.findMatch(tx, who);
  }

  findOrRegister(tx: EntityManager, ctx: AccessContext, who: ChildDetails, fieldPrefix: string): Promise<string> {
    return this.matching.findOrRegister(tx, ctx, who, fieldPrefix);
  }

  worksWith(tx: EntityManager, childId: string, organisationId: string): Promise<boolean> {
    return this.repo.isInvolved(tx, childId, organisationId, this.clock.now());
  }

  caseTeamWorksIn(tx: EntityManager, childId: string, organisationId: string): Promise<boolean> {
    return this.repo.caseTeamWorksIn(tx, childId, organisationId);
  }

  /** Safeguarding events go to the multi-agency chronology unless the step says not. */
  async addEntry(tx: EntityManager, ctx: AccessContext, childId: string, entry: ChronologyEntryInput): Promise<void> {
    const now = this.clock.now();
    const sensitivity = entry.sensitivity ?? entryClassOf(ctx.actor.organisationType);
    await this.repo.insertEntry(tx, {
      childId,
      organisationId: ctx.actor.organisationId,
      authorId: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      occurredAt: entry.occurredAt ?? now,
      recordedAt: now,
      category: entry.category,
      summary: entry.summary,
      detail: entry.detail ?? null,
      sensitivity,
      shareable: entry.shareable,
      multiAgency: entry.multiAgency ?? multiAgencyByDefault(entry.category, sensitivity),
    });
  }

  /**
   * Opens (or keeps) an organisation's working with a child. `lead`: it becomes the child's lead
   * agency (children's services accepting a referral or opening an assessment); the previous lead,
   * if any, keeps working with the child as a contributor.
   */
  async involve(
    tx: EntityManager,
    childId: string,
    organisationId: string,
    basis: InvolvementReason,
    reason: string,
    createdBy: string | null,
    options: { lead?: boolean } = {},
  ): Promise<void> {
    const now = this.clock.now();
    // One lead at a time: concurrent steps on the same child queue here.
    if (options.lead) await this.repo.lockChild(tx, childId);
    const active = await this.repo.openInvolvementOf(tx, childId, organisationId, now);
    if (options.lead && active?.kind !== 'lead') await this.repo.moveLead(tx, childId, active?.id);
    if (active) return;
    await this.repo.insertInvolvement(tx, {
      childId,
      organisationId,
      kind: options.lead ? 'lead' : 'contributing',
      basis,
      fromAt: now,
      untilAt: null,
      reason,
      createdBy,
    });
  }

  /** Triage: the receiving team of an open referral about the child reads its identity until it decides. */
  async openTriage(
    tx: EntityManager,
    childId: string,
    referral: { id: string; organisationId: string; teamId: string },
  ): Promise<void> {
    await this.repo.insertTriage(tx, {
      childId,
      organisationId: referral.organisationId,
      teamId: referral.teamId,
      referralId: referral.id,
      openedAt: this.clock.now(),
      closedAt: null,
    });
  }

  closeTriage(tx: EntityManager, referralId: string): Promise<void> {
    // Its decision, acceptance, decline or withdrawal ends the triage access the referral opened.
    return this.repo.closeTriage(tx, referralId, this.clock.now());
  }

  tellHolders(tx: EntityManager, ctx: AccessContext, childId: string, about: CollaborationNotice): Promise<Holder[]> {
    return this.collaboration.tellHolders(tx, ctx, childId, about);
  }

  recordStep(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    subjectIds: string[],
    childId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.access.recordStep(tx, ctx, action, subjectType, subjectIds, childId, details);
  }

  recordList(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    items: { id: string; childId: string | null }[],
    details: Record<string, unknown> = { count: items.length },
  ): Promise<void> {
    const childIds = [...new Set(items.map((i) => i.childId).filter((c): c is string => c !== null))];
    return this.access.record(tx, ctx, action, childIds, 'allowed', {
      subjectType,
      subjectIds: items.map((i) => i.id),
      details,
    });
  }
}
