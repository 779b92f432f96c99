import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { OutboxModule } from '@app/platform';
import { EscalationService } from './escalation.service';
import { NotificationsService } from './notifications.service';
import {
  Concern,
  Escalation,
  OrganisationTimescales,
  Referral,
  ReferralConcern,
  ReferralTransition,
} from './referral.entity';
import { ConcernsController, NotificationsController, ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';
import { Timescales } from './timescales.service';

export const REFERRAL_ENTITIES = [
  Concern,
  Referral,
  ReferralConcern,
  ReferralTransition,
  Escalation,
  OrganisationTimescales,
];

@Module({
  imports: [TypeOrmModule.forFeature(REFERRAL_ENTITIES), ChildrenModule, OutboxModule],
  controllers: [ConcernsController, ReferralsController, NotificationsController],
  providers: [ReferralsService, NotificationsService, Timescales, EscalationService],
  exports: [ReferralsService, EscalationService, Timescales],
})
export class ReferralsModule {}

/** For the worker: escalations without the HTTP controllers. */
@Module({
  imports: [TypeOrmModule.forFeature(REFERRAL_ENTITIES)],
  providers: [EscalationService, Timescales],
  exports: [EscalationService],
})
export class EscalationModule {}
