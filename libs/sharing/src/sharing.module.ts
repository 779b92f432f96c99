import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { OutboxModule } from '@app/platform';
import { InformationRequestsController, SharingController } from './sharing.controller';
import { InformationRequest, SharingAgreement, SharingAgreementParty } from './sharing.entity';
import { SharingService } from './sharing.service';
import { GrantExpiryJob, WebhooksController } from './webhooks';

export const SHARING_ENTITIES = [SharingAgreement, SharingAgreementParty, InformationRequest];

@Module({
  imports: [TypeOrmModule.forFeature(SHARING_ENTITIES), ChildrenModule, OutboxModule],
  controllers: [SharingController, InformationRequestsController, WebhooksController],
  providers: [SharingService],
  exports: [SharingService],
})
export class SharingModule {}

/** For the worker: grant expiry notices. */
@Module({ imports: [OutboxModule], providers: [GrantExpiryJob], exports: [GrantExpiryJob] })
export class SharingJobsModule {}
