import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { CaseworkModule } from '@app/casework';
import { ChildrenModule } from '@app/children';
import { DashboardService } from './dashboard.service';
import { InspectionController } from './inspection.controller';
import { InspectionService } from './inspection.service';
import { ResponsibilityService } from './responsibility.service';
import { OversightController } from './oversight.controller';
import { OversightExport } from './oversight-export.entity';
import { WhistleblowingController, WhistleblowingNoticesController } from './whistleblowing.controller';
import { WhistleblowingAttempt, WhistleblowingMessage, WhistleblowingReport } from './whistleblowing.entity';
import { WhistleblowingService } from './whistleblowing.service';
import { TimelineService } from './timeline.service';
// The timescales and clocks this module declares (loaded with the module).
import './oversight.clocks';

export const OVERSIGHT_ENTITIES = [WhistleblowingReport, WhistleblowingMessage, WhistleblowingAttempt, OversightExport];

@Module({
  imports: [TypeOrmModule.forFeature(OVERSIGHT_ENTITIES), AuditModule, CaseworkModule, ChildrenModule],
  controllers: [WhistleblowingController, WhistleblowingNoticesController, OversightController, InspectionController],
  providers: [WhistleblowingService, TimelineService, DashboardService, InspectionService, ResponsibilityService],
})
export class OversightModule {}
