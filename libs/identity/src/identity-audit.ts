import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import { AuditService, type AuditOutcome } from '@app/audit';
import { Clock } from '@app/platform';

/** The purpose recorded with identity changes: administration, not work on a child's record. */
export const IDENTITY_ADMINISTRATION = 'identity_administration';

export type IdentitySubject = 'User' | 'RoleGrant' | 'ApiClient';

/** What an audit event records of a person before and after a change: never a password. */
export const identityFacts = (u: { roles: string[]; teamId: string | null; active: boolean }) => ({
  roles: [...u.roles].sort(),
  teamId: u.teamId,
  active: u.active,
});

/**
 * Audit events of identity changes (users, role grants, API clients), written in the caller's
 * transaction so that the change and its record commit together. `details` holds ids, field names
 * and the before/after of roles, team, active and scopes: never a password, secret or hash.
 */
@Injectable()
export class IdentityAudit {
  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  record(
    tx: EntityManager,
    ctx: Pick<AccessContext, 'actor' | 'requestId' | 'clientIp'>,
    action: string,
    subjectType: IdentitySubject,
    subjectIds: string[],
    outcome: AuditOutcome,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(tx, {
      actor: ctx.actor,
      action,
      subjectType,
      subjectIds,
      childIds: [],
      outcome,
      purpose: IDENTITY_ADMINISTRATION,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      details,
      at: this.clock.now(),
    });
  }
}
