import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChildrenModule } from '@app/children';
import { HEALTH_ENTITIES } from './health.entity';
import { ProtectionStatusController } from './health.controller';
import { HealthService } from './health.service';
// The events this module declares (loaded with the module).
import './health.events';

@Module({
  imports: [TypeOrmModule.forFeature(HEALTH_ENTITIES), ChildrenModule],
  controllers: [ProtectionStatusController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
