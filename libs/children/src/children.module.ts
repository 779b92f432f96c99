import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { CaseworkModule, Disclosures, SharedRecord } from '@app/casework';
import { Statements } from '@app/platform';
import { CaseTeamMember, Child, ChildAddress } from './child.entity';
import { ChildrenController } from './children.controller';
import { ChildAccess } from './child-access.service';
import { ChildMatching } from './child-matching.service';
import { ChildrenRepository } from './children.repository';
import { RecordPartsRepository } from './record-parts.repository';
import { ChildrenService } from './children.service';
import { Collaboration } from './collaboration.service';
import { ChildrenDisclosures } from './disclosures.service';
import { ChronologyEntry } from './chronology.entity';
import { BreakGlassGrant, Involvement, MatchReference, SharingGrant, TriageAccess } from './involvement.entity';
import { RecordPartsService } from './record-parts.service';
import { AgencySection } from './section.entity';
import { ChildrenSharedRecord } from './shared-record.service';
// Declares the events this module emits (loaded with the module).
import './children.events';

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

/**
 * The shared child record. Workflows use it through the kernel's SharedRecord (and the sharing
 * workflow its grants through Disclosures), which this module provides; ChildrenService stays the
 * record's own service.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CHILDREN_ENTITIES), AuditModule, CaseworkModule],
  controllers: [ChildrenController],
  providers: [
    ChildrenRepository,
    RecordPartsRepository,
    ChildAccess,
    ChildMatching,
    Collaboration,
    ChildrenService,
    RecordPartsService,
    Statements,
    { provide: SharedRecord, useClass: ChildrenSharedRecord },
    { provide: Disclosures, useClass: ChildrenDisclosures },
  ],
  exports: [ChildrenService, SharedRecord, Disclosures, CaseworkModule],
})
export class ChildrenModule {}
