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
  unknownTeam: () =>
    DomainError.validation([{ field: 'toTeamId', message: 'toTeamId is not a team of another organisation' }]),
} as const;
