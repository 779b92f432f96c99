import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { Concern, Referral, ReferralConcern, ReferralTransition } from './referral.entity';
import { ConcernsController, ReferralsController } from './referrals.controller';
import { ConcernsService } from './concerns.service';
import { ReferralInboxesService } from './referral-inboxes.service';
import { ReferralsRepository } from './referrals.repository';
import { SubmitReferralService } from './submit-referral.service';
import { TransitionReferralService } from './transition-referral.service';
import { TriageAndDecisionService } from './triage-and-decision.service';
// The timescales, clocks and events this module declares (loaded with the module).
import './referrals.clocks';
import './referrals.events';

export const REFERRAL_ENTITIES = [Concern, Referral, ReferralConcern, ReferralTransition];

@Module({
  // ChildrenModule gives the shared record (SharedRecord) and the kernel (CaseworkModule).
  imports: [TypeOrmModule.forFeature(REFERRAL_ENTITIES), ChildrenModule],
  controllers: [ConcernsController, ReferralsController],
  // One service per use case; the SQL is in the repository.
  providers: [
    ReferralsRepository,
    ConcernsService,
    SubmitReferralService,
    TransitionReferralService,
    TriageAndDecisionService,
    ReferralInboxesService,
  ],
  // What agency modules use: a referral read under the caller's scope, a concern raised.
  exports: [ReferralInboxesService, ConcernsService],
})
export class ReferralsModule {}
