export * from './escalation.service';
export * from './referral-state';
export * from './referral.entity';
export * from './referrals.dto';
export * from './referrals.module';
export * from './referrals.service';
export * from './timescales.service';
