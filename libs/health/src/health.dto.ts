import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ApiNextCursor, ApiPageData, PageQuery } from '@app/platform';
import { PROTECTION_STATUSES } from './health.entity';

export class ProtectionStatusQuery {
  @ApiProperty({ description: 'NHS number (10 digits, checked with its check digit).', example: '9434765919' })
  @IsString()
  @MaxLength(20)
  nhsNumber!: string;
}

export class CouncilContactDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 120, description: 'The team to call (its front door).' })
  contactTeam!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 30, description: "The team's phone line, if it gave one." })
  contactPhone!: string | null;
  @ApiProperty({
    type: String,
    format: 'email',
    nullable: true,
    maxLength: 254,
    description: "The team's shared mailbox, if it gave one.",
  })
  contactEmail!: string | null;
}

/** The look-up's whole answer: one of four statuses, the council to call, the plan's start. Nothing else. */
export class ProtectionStatusDto {
  @ApiProperty({ enum: PROTECTION_STATUSES }) status!: string;
  @ApiProperty({ type: CouncilContactDto, nullable: true }) council!: CouncilContactDto | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Null where the council has not recorded it.',
  })
  planStartDate!: string | null;
  @ApiProperty({ format: 'uuid', description: 'This look-up, as recorded.' }) lookupId!: string;
}

export class LookupQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'One child (default: all the council’s children).' })
  @IsOptional()
  @IsUUID()
  childId?: string;
}

export class ProtectionLookupDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ enum: PROTECTION_STATUSES }) status!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisationName!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ maxLength: 40 }) purpose!: string;
  @ApiProperty({ format: 'date-time' }) lookedUpAt!: string;
}

export class ProtectionLookupPage {
  @ApiPageData(ProtectionLookupDto) data!: ProtectionLookupDto[];
  @ApiNextCursor() nextCursor!: string | null;
}
