import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { Concern, Referral, ReferralConcern, ReferralTransition } from './referral.entity';
import { ConcernsController, ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';
// The timescales, clocks and events this module declares (loaded with the module).
import './referrals.clocks';
import './referrals.events';

export const REFERRAL_ENTITIES = [Concern, Referral, ReferralConcern, ReferralTransition];

@Module({
  // ChildrenModule gives the shared record (SharedRecord) and the kernel (CaseworkModule).
  imports: [TypeOrmModule.forFeature(REFERRAL_ENTITIES), ChildrenModule],
  controllers: [ConcernsController, ReferralsController],
  providers: [ReferralsService],
  exports: [ReferralsService],
})
export class ReferralsModule {}
