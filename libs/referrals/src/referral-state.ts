import type { ReferralStatus } from './referral.entity';

export type Side = 'sender' | 'receiver';

/**
 * The one transition table of a referral between agencies (DOMAIN.md):
 * SUBMITTED -> ACKNOWLEDGED -> ACCEPTED | DECLINED (reason required);
 * SUBMITTED/ACKNOWLEDGED -> WITHDRAWN by the sender; ACCEPTED -> CLOSED.
 */
export const REFERRAL_TRANSITIONS: Record<
  ReferralStatus,
  Partial<Record<ReferralStatus, { by: Side; reasonRequired: boolean }>>
> = {
  SUBMITTED: {
    ACKNOWLEDGED: { by: 'receiver', reasonRequired: false },
    WITHDRAWN: { by: 'sender', reasonRequired: true },
  },
  ACKNOWLEDGED: {
    ACCEPTED: { by: 'receiver', reasonRequired: false },
    DECLINED: { by: 'receiver', reasonRequired: true },
    WITHDRAWN: { by: 'sender', reasonRequired: true },
  },
  ACCEPTED: { CLOSED: { by: 'receiver', reasonRequired: false } },
  DECLINED: {},
  WITHDRAWN: {},
  CLOSED: {},
};

/** The states this side may move the referral to from where it is. */
export function allowedTransitions(from: ReferralStatus, side: Side): ReferralStatus[] {
  return (Object.entries(REFERRAL_TRANSITIONS[from]) as [ReferralStatus, { by: Side }][])
    .filter(([, t]) => t.by === side)
    .map(([to]) => to);
}

export const OPEN_REFERRAL_STATUSES: ReferralStatus[] = ['SUBMITTED', 'ACKNOWLEDGED'];

/** Inbox order: immediate danger first, then RED, AMBER, GREEN. */
export function urgencyOf(immediateDanger: boolean, rag: 'RED' | 'AMBER' | 'GREEN' | null): number {
  if (immediateDanger) return 0;
  return rag === 'RED' ? 1 : rag === 'AMBER' ? 2 : rag === 'GREEN' ? 3 : 4;
}
