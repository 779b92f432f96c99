import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { HEALTH_ENTITIES } from './health.entity';
import { ProtectionStatusController } from './health.controller';
import { HealthService } from './health.service';
import { SupportPlanController } from './support-plan.controller';
import { SUPPORT_PLAN_ENTITIES } from './support-plan.entity';
import { SupportPlanService } from './support-plan.service';
// The clocks this module declares.
import './health.clocks';
// The events this module declares (loaded with the module).
import './health.events';

@Module({
  imports: [TypeOrmModule.forFeature([...HEALTH_ENTITIES, ...SUPPORT_PLAN_ENTITIES]), ChildrenModule],
  controllers: [ProtectionStatusController, SupportPlanController],
  providers: [HealthService, SupportPlanService],
  exports: [HealthService, SupportPlanService],
})
export class HealthModule {}
