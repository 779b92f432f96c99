import { Module } from '@nestjs/common';
import { ChildrenModule } from '@app/children';
import { DisclosureEndingJob } from './disclosure-ending.job';
import { PoliceController } from './police.controller';
import { PoliceService } from './police.service';
// The timescales, clocks and events this module declares (loaded with the module).
import './police.clocks';
import './police.events';

@Module({
  // ChildrenModule gives the shared record (SharedRecord) and the kernel (CaseworkModule).
  imports: [ChildrenModule],
  controllers: [PoliceController],
  providers: [PoliceService],
})
export class PoliceModule {}

/** For the worker: the notice before a disclosure to another force ends (ChildrenModule gives the kernel). */
@Module({ imports: [ChildrenModule], providers: [DisclosureEndingJob], exports: [DisclosureEndingJob] })
export class PoliceJobsModule {}
