export * from './referral-state';
export * from './referral.entity';
export * from './referrals.clocks';
export * from './referrals.dto';
export * from './referrals.events';
export * from './referrals.module';
export { LEAD_TEAM_FUNCTION } from './referrals.rules';
// What an agency module may read of a referral (under the caller's scope).
export { ReferralInboxesService } from './referral-inboxes.service';
export { ConcernsService } from './concerns.service';
// What the council's statutory returns read of its contacts (no access context: see the functions).
export { type CouncilContact, councilContactsOf, immediateProtectionOf } from './referrals.repository';
