import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { OutboxModule, Statements } from '@app/platform';
import { CaseTeamMember, Child, ChildAddress } from './child.entity';
import { ChildrenController } from './children.controller';
import { ChildrenService } from './children.service';
import { ChronologyEntry } from './chronology.entity';
import { BreakGlassGrant, Involvement, MatchReference, SharingGrant, TriageAccess } from './involvement.entity';
import { RecordPartsService } from './record-parts.service';
import { AgencySection } from './section.entity';

export const CHILDREN_ENTITIES = [
  Child,
  ChildAddress,
  CaseTeamMember,
  Involvement,
  BreakGlassGrant,
  MatchReference,
  AgencySection,
  ChronologyEntry,
  SharingGrant,
  TriageAccess,
];

@Module({
  imports: [TypeOrmModule.forFeature(CHILDREN_ENTITIES), AuditModule, OutboxModule],
  controllers: [ChildrenController],
  providers: [ChildrenService, RecordPartsService, Statements],
  exports: [ChildrenService],
})
export class ChildrenModule {}
