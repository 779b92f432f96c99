import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUDIT_ENTITIES } from './audit-event.entity';
import { AuditSealer } from './audit-sealer';
import { AuditService } from './audit.service';
import { AuditVerifier } from './audit-verifier';

/**
 * The audit log. AuditSealJob (the periodic sealer) is exported from the index but not provided
 * here: register it in the process that runs @nestjs/schedule (the worker).
 */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditService, AuditSealer, AuditVerifier],
  exports: [AuditService, AuditSealer, AuditVerifier],
})
export class AuditModule {}
