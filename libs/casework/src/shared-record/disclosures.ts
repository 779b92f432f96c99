import type { EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import type { Page } from '@app/platform';

/** A disclosure decision made concrete: the grantee's people may read these classes of the grantor's data. */
export interface Disclosure {
  childId: string;
  grantorOrganisationId: string;
  granteeOrganisationId: string;
  classes: string[];
  fromAt: Date;
  untilAt: Date;
  /** The information request it answers, if one. */
  requestId: string | null;
  decidedBy: string;
}

/** A grant as its readers see it. */
export interface GrantView {
  id: string;
  childId: string;
  grantorOrganisationId: string;
  granteeOrganisationId: string;
  classes: string[];
  fromAt: Date;
  untilAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  requestId: string | null;
  /** Live now: not revoked, begun, not ended. */
  active: boolean;
}

/**
 * Grants on the shared record: what a disclosure decision lets another organisation read.
 * Need-to-know computes access from the live grants themselves, so the record keeps them; the
 * sharing workflow decides and records them through this, implemented and provided by the
 * children module. Every method runs in the caller's transaction.
 */
export abstract class Disclosures {
  /** Records a decision to disclose; the grantee reads from `fromAt` until `untilAt`. Returns the grant's id. */
  abstract grant(tx: EntityManager, disclosure: Disclosure): Promise<string>;

  /** The grants the actor may read, newest first. */
  abstract list(tx: EntityManager, ctx: AccessContext, limit: number, cursor?: string): Promise<Page<GrantView>>;

  /**
   * Ends a grant the actor may revoke (else 404, as for one that does not exist; 409 if it is
   * already revoked): access stops at once. Returns it as it now is, with the grantee's name.
   */
  abstract revoke(
    tx: EntityManager,
    ctx: AccessContext,
    grantId: string,
    reason: string,
  ): Promise<GrantView & { granteeName: string }>;

  /**
   * Live grants ending before `soon` that were not announced yet: marks them announced and
   * returns them. Each grant once, with several workers (rows taken with SKIP LOCKED).
   */
  abstract announceEnding(tx: EntityManager, soon: Date): Promise<GrantView[]>;
}
