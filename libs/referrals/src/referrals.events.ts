import { declareEvents, type EventPayloads, publishedEvent } from '@app/casework';
import type { CsOutcome, ReferralStatus } from './referral.entity';

/** To the sender's organisation: what became of its referral (status and outcome, never free text). */
export interface ReferralStatusChanged {
  referralId: string;
  from: ReferralStatus;
  to: ReferralStatus;
  toOrganisation: { id: string; name: string };
  outcome?: CsOutcome;
}

export const REFERRAL_EVENTS = declareEvents({
  'referral.status_changed': publishedEvent<ReferralStatusChanged>(
    "A referral the organisation sent changed status (with children's services' outcome, if decided).",
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof REFERRAL_EVENTS> {}
}
