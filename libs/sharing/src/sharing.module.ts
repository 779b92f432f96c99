import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { AgreementsService } from './agreements.service';
import { GrantExpiryJob } from './grant-expiry.job';
import { GrantsService } from './grants.service';
import { InformationRequestsService } from './information-requests.service';
import { InformationRequestsController, SharingController } from './sharing.controller';
import { InformationRequest, SharingAgreement, SharingAgreementParty } from './sharing.entity';
import { SharingRepository } from './sharing.repository';
// The timescales, clocks and events this module declares (loaded with the module).
import './sharing.clocks';
import './sharing.events';

export const SHARING_ENTITIES = [SharingAgreement, SharingAgreementParty, InformationRequest];

@Module({
  // ChildrenModule gives the shared record (SharedRecord) and the kernel (CaseworkModule).
  imports: [TypeOrmModule.forFeature(SHARING_ENTITIES), ChildrenModule],
  controllers: [SharingController, InformationRequestsController],
  // One service per use case; the SQL is in the repository.
  providers: [SharingRepository, AgreementsService, InformationRequestsService, GrantsService],
})
export class SharingModule {}

/** For the worker: grant expiry notices (ChildrenModule gives the grants, Disclosures, and the kernel). */
@Module({ imports: [ChildrenModule], providers: [GrantExpiryJob], exports: [GrantExpiryJob] })
export class SharingJobsModule {}
