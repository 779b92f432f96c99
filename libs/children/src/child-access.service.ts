import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AccessContext, can } from '@app/access';
import { type AuditEntry, AuditService } from '@app/audit';
import { Clock } from '@app/platform';
import { type LoadedChild, worksWith } from './child-rules';
import { ChildError } from './children.errors';
import { ChildrenRepository } from './children.repository';

export interface AuditExtra {
  breakGlass?: boolean;
  details?: Record<string, unknown>;
  subjectType?: string;
  subjectIds?: string[];
  /** Instead of the caller's purpose: e.g. a triage read is recorded as `referral_triage`. */
  purpose?: string;
}

/**
 * The way into a child's record, and the record of every way in: load a child under the caller's
 * scope (or 404), and write the audit event of what was done with it.
 */
@Injectable()
export class ChildAccess {
  constructor(
    private readonly repo: ChildrenRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Loads a child the actor may see (or act on), or throws 404, exactly as for a child that does
   * not exist. Every use case on a child's data starts here.
   */
  async require(
    manager: EntityManager,
    ctx: AccessContext,
    id: string,
    options: { action?: 'read' | 'update'; details?: boolean; lock?: boolean; working?: boolean } = {},
  ): Promise<LoadedChild> {
    const child = await this.repo.findScoped(manager, ctx, id, options, this.clock.now());
    // The SQL and the in-memory check judge the same rules; both must agree to let the actor in.
    if (!child || !can(ctx.ability, options.action ?? 'read', 'Child', child)) throw ChildError.notFound();
    // Naming a child in a workflow step writes onto its record (a chronology entry, an involvement,
    // triage for another team): only those working with it may. A disclosure, triage or break-glass
    // reads; it never lets the reader act on the child.
    if (options.working && !worksWith(ctx, child)) throw ChildError.notFound();
    return child;
  }

  /** The audit event of one workflow step about (at most) one child. */
  recordStep(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    subjectIds: string[],
    childId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.record(tx, ctx, action, childId ? [childId] : [], 'allowed', { subjectType, subjectIds, details });
  }

  /** One audit event, in the caller's transaction. */
  record(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    childIds: string[],
    outcome: 'allowed' | 'denied' | 'not_found',
    extra: AuditExtra = {},
  ): Promise<void> {
    return this.audit.record(tx, this.entry(ctx, action, childIds, outcome, extra));
  }

  /** The audit event, unwritten (for a statement that writes it itself). */
  entry(
    ctx: AccessContext,
    action: string,
    childIds: string[],
    outcome: 'allowed' | 'denied' | 'not_found',
    extra: AuditExtra = {},
  ): AuditEntry {
    return {
      actor: ctx.actor,
      action,
      subjectType: extra.subjectType ?? 'Child',
      subjectIds: extra.subjectIds ?? childIds,
      childIds,
      outcome,
      purpose: extra.purpose ?? ctx.purpose,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      breakGlass: extra.breakGlass ?? false,
      details: extra.details ?? {},
      at: this.clock.now(),
    };
  }
}
