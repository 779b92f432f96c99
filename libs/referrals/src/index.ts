export * from './referral-state';
export * from './referral.entity';
export * from './referrals.clocks';
export * from './referrals.dto';
export * from './referrals.events';
export * from './referrals.module';
export * from './referrals.service';
