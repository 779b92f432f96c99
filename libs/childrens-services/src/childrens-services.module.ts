import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { ReferralsModule } from '@app/referrals';
import { CHILDRENS_SERVICES_ENTITIES } from './childrens-services.entity';
import { ChildrensServicesController } from './childrens-services.controller';
import { ChildrensServicesService } from './childrens-services.service';
import { AnnexAService } from './annex-a.service';
import { CinCensusService } from './cin-census.service';
import { ReturnsController } from './returns.controller';
// The timescales, clocks and events this module declares (loaded with the module).
import './childrens-services.clocks';
import './childrens-services.events';

@Module({
  // ChildrenModule gives the shared record and the kernel; ReferralsModule its public service (the MASH decision).
  imports: [TypeOrmModule.forFeature(CHILDRENS_SERVICES_ENTITIES), ChildrenModule, ReferralsModule],
  controllers: [ChildrensServicesController, ReturnsController],
  providers: [ChildrensServicesService, CinCensusService, AnnexAService],
  exports: [ChildrensServicesService, CinCensusService, AnnexAService],
})
export class ChildrensServicesModule {}
