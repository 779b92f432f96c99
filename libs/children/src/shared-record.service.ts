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
  SharedRecord,
} from '@app/casework';
import { ChildrenService, type LoadedChild } from './children.service';
import type { InvolvementBasis } from './involvement.entity';

/** The kernel's list of reasons to work with a child is the record's own (registration aside): kept equal by the compiler. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const INVOLVEMENT_REASONS_AGREE: Same<InvolvementReason, Exclude<InvolvementBasis, 'registered'>> = true;

/**
 * The children module's side of the kernel's SharedRecord: what workflows (referrals, sharing,
 * agency modules) may do on the shared record, and nothing else of ChildrenService.
 */
@Injectable()
export class ChildrenSharedRecord extends SharedRecord {
  constructor(private readonly children: ChildrenService) {
    super();
  }

  requireChild(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    options: { action?: 'read' | 'update'; working?: boolean } = {},
  ): Promise<ChildOnRecord> {
    return this.children.require(tx, ctx, childId, options);
  }

  identityOf(
    ctx: AccessContext,
    child: ChildOnRecord,
  ): { givenName?: string; familyName?: string; dateOfBirth?: string | null } {
    const seen = this.children.present(ctx, child as LoadedChild);
    return { givenName: seen.givenName, familyName: seen.familyName, dateOfBirth: seen.dateOfBirth };
  }

  judgeMatch(tx: EntityManager, ctx: AccessContext, who: ChildDetails, fieldPrefix: string) {
    return this.children.judgeDecisionMatch(tx, ctx, who, fieldPrefix);
  }

  caseTeamOf(tx: EntityManager, childId: string): Promise<string[]> {
    return this.children.caseTeamOf(tx, childId);
  }

  isRestricted(tx: EntityManager, childId: string): Promise<boolean> {
    return this.children.isRestricted(tx, childId);
  }

  tellCaseTeam(tx: EntityManager, childId: string, notice: { kind: string; message: string }): Promise<void> {
    return this.children.tellCaseTeam(tx, childId, notice);
  }

  childOfMatchReference(tx: EntityManager, ctx: AccessContext, reference: string): Promise<string> {
    return this.children.childOfMatchReference(tx, ctx, reference);
  }

  findMatch(tx: EntityManager, who: ChildDetails): Promise<ChildMatch | null> {
    return this.children.findMatch(tx, who);
  }

  findOrRegister(tx: EntityManager, ctx: AccessContext, who: ChildDetails, fieldPrefix: string): Promise<string> {
    return this.children.findOrRegister(tx, ctx, who, fieldPrefix);
  }

  worksWith(tx: EntityManager, childId: string, organisationId: string): Promise<boolean> {
    return this.children.worksWith(tx, childId, organisationId);
  }

  caseTeamWorksIn(tx: EntityManager, childId: string, organisationId: string): Promise<boolean> {
    return this.children.caseTeamWorksIn(tx, childId, organisationId);
  }

  addEntry(tx: EntityManager, ctx: AccessContext, childId: string, entry: ChronologyEntryInput): Promise<void> {
    return this.children.addEntry(tx, ctx, childId, entry);
  }

  involve(
    tx: EntityManager,
    childId: string,
    organisationId: string,
    basis: InvolvementReason,
    reason: string,
    createdBy: string | null,
    options: { lead?: boolean } = {},
  ): Promise<void> {
    return this.children.involve(tx, childId, organisationId, basis, reason, createdBy, options);
  }

  openTriage(
    tx: EntityManager,
    childId: string,
    referral: { id: string; organisationId: string; teamId: string },
  ): Promise<void> {
    return this.children.openTriage(tx, childId, referral);
  }

  closeTriage(tx: EntityManager, referralId: string): Promise<void> {
    return this.children.closeTriage(tx, referralId);
  }

  tellHolders(tx: EntityManager, ctx: AccessContext, childId: string, about: CollaborationNotice): Promise<Holder[]> {
    return this.children.tellHolders(tx, ctx, childId, about);
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
    return this.children.recordStep(tx, ctx, action, subjectType, subjectIds, childId, details);
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
    return this.children.record(tx, ctx, action, childIds, 'allowed', {
      subjectType,
      subjectIds: items.map((i) => i.id),
      details,
    });
  }
}
