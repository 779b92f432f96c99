import { DomainError } from '@app/platform';
import type { ReferralStatus } from './referral.entity';

export const ReferralError = {
  notFound: () => DomainError.notFound('Referral'),
  concernNotFound: () => DomainError.notFound('Concern'),
  illegalTransition: (from: ReferralStatus, to: string, allowed: string[]) =>
    DomainError.conflict(
      'REFERRAL.ILLEGAL_TRANSITION',
      `A referral that is ${from} cannot become ${to}${allowed.length ? `; it can become ${allowed.join(' or ')}` : '; it is final'}.`,
      { currentStatus: from, allowed },
    ),
  alreadyDecided: (status: string) =>
    DomainError.conflict('REFERRAL.ALREADY_DECIDED', `The referral is already ${status}.`, { currentStatus: status }),
  concernAlreadyDecided: (status: string) =>
    DomainError.conflict('CONCERN.ALREADY_DECIDED', `The concern is already ${status}.`, { currentStatus: status }),
  notACouncilReferral: () =>
    DomainError.conflict(
      'REFERRAL.NOT_CHILDRENS_SERVICES',
      "Triage and outcomes are for referrals received by children's services.",
    ),
  /** A restricted child is referred only where someone of its case team works. */
  restrictedChild: () =>
    new DomainError(
      'REFERRAL.RESTRICTED_CHILD',
      422,
      'Unprocessable Content',
      "This child's record is restricted: add a practitioner of the receiving organisation to the case team first.",
    ),
  unknownTeam: () =>
    DomainError.validation([{ field: 'toTeamId', message: 'toTeamId is not a team of another organisation' }]),
} as const;
