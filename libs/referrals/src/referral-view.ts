import type { OrganisationType } from '@app/platform';
import type { ConcernDto, ReferralDto } from './referrals.dto';

/** A referral row as the repository reads it: the DTO's fields and what the rules need besides. */
export type ReferralRow = ReferralDto & {
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
export type ConcernRow = ConcernDto & { urgency: number; childHiddenFrom: string[] };

/** A row without the columns only the rules read. */
export const strip = <
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

/** Where a referral view keeps the stored child id for auditing (not serialised). */
export const CHILD_ID = Symbol('childId');

/** A referral with its history, and the stored child id for the audit record only. */
export type ReferralView = ReferralDto & { [CHILD_ID]: string | null };

/**
 * A referral as its viewer may see it. The child's id goes to the receiving organisation and to
 * an organisation that already works with the child; a sender who referred by match reference
 * (a child another agency holds) learns nothing of that record, not even its id.
 */
export const presentReferral = (row: ReferralRow): ReferralDto => {
  const { childKnown, ...rest } = strip(row);
  return { ...rest, childId: childKnown ? rest.childId : null } as ReferralDto;
};
