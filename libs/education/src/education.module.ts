import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { ReferralsModule } from '@app/referrals';
import { EDUCATION_ENTITIES } from './education.entity';
import { EducationController } from './education.controller';
import { EducationService } from './education.service';
// The clocks and events this module declares (loaded with the module).
import './education.clocks';
import './education.events';

@Module({
  // ChildrenModule gives the shared record and the kernel; ReferralsModule the concerns a teacher logs.
  imports: [TypeOrmModule.forFeature(EDUCATION_ENTITIES), ChildrenModule, ReferralsModule],
  controllers: [EducationController],
  providers: [EducationService],
})
export class EducationModule {}
