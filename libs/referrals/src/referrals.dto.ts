import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LAWFUL_BASES } from '@app/access';
import { CreateChildDto } from '@app/children';
import { ApiNextCursor, ApiPageData, IsCalendarDate, IsTimestamp, PageQuery } from '@app/platform';
import { CONCERN_CATEGORIES, CS_OUTCOMES, RAGS, REFERRAL_STATUSES } from './referral.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class SubjectDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) givenName?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) familyName?: string;
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;
  @ApiPropertyOptional({ minimum: 0, maximum: 25 }) @IsOptional() @IsInt() @Min(0) @Max(25) approximateAge?: number;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MaxLength(300) address?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MaxLength(200) school?: string;
}

export class CreateConcernDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A registered child you can see; or describe the child in subject.',
  })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({ type: SubjectDto, description: 'What you know of a child not (yet) identified.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SubjectDto)
  subject?: SubjectDto;

  @ApiProperty({ enum: CONCERN_CATEGORIES })
  @IsIn(CONCERN_CATEGORIES)
  category!: string;

  @ApiProperty({ description: 'What was seen or heard.' })
  @Transform(trim)
  @IsString()
  @Length(1, 20000)
  whatWasSeen!: string;

  @ApiPropertyOptional({ description: "The child's own words, as said." })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  childsWords?: string;

  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  occurredAt!: string;

  @ApiProperty({ description: 'The child is in immediate danger: marked in every inbox and list.' })
  @IsBoolean()
  immediateDanger!: boolean;
}

export class ConcernDecisionDto {
  @ApiProperty({ enum: ['NO_FURTHER_ACTION', 'MONITOR'], description: 'To refer, send a referral naming the concern.' })
  @IsIn(['NO_FURTHER_ACTION', 'MONITOR'])
  decision!: 'NO_FURTHER_ACTION' | 'MONITOR';

  @ApiPropertyOptional({ description: 'Required for no further action.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason?: string;
}

export class ConcernDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ format: 'uuid' }) reporterId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) childId!: string | null;
  @ApiProperty({ type: SubjectDto }) subject!: SubjectDto;
  @ApiProperty({ enum: CONCERN_CATEGORIES }) category!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 20000,
    description: 'Null only where withheld (see withheld).',
  })
  whatWasSeen!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 20000 }) childsWords!: string | null;
  @ApiProperty() occurredAt!: Date;
  @ApiProperty() immediateDanger!: boolean;
  @ApiProperty({ enum: ['OPEN', 'MONITOR', 'NO_FURTHER_ACTION', 'REFERRED'] }) status!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) decisionReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: Date | null;
  @ApiProperty() dueAt!: Date;
  @ApiProperty({ description: 'Past its due time without a decision.' }) overdue!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    items: { type: 'string', maxLength: 40 },
    description:
      'On a single read: the fields a police force wrote, withheld (null) from a reader not party to the work ' +
      '(an inspector): police intelligence, which inspection does not read. Empty for the parties.',
  })
  withheld?: string[];
}

export class ConcernPage {
  @ApiPageData(ConcernDto) data!: ConcernDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class ConcernInboxQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['OPEN', 'MONITOR', 'NO_FURTHER_ACTION', 'REFERRED'] })
  @IsOptional()
  @IsIn(['OPEN', 'MONITOR', 'NO_FURTHER_ACTION', 'REFERRED'])
  status?: string;

  @ApiPropertyOptional({ description: 'Only overdue (true) or not overdue (false).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
}

export class CreateReferralDto {
  @ApiProperty({ format: 'uuid', description: 'The receiving team (e.g. a council MASH or a police CSE unit).' })
  @IsUUID()
  toTeamId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A registered child you can see.' })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({ description: 'A match reference given when a registration matched a record you cannot see.' })
  @IsOptional()
  @Matches(/^MR-[0-9A-F]{12}$/)
  @MaxLength(15)
  matchReference?: string;

  @ApiPropertyOptional({
    type: SubjectDto,
    description: 'Who the child is, as you know them (required without childId).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SubjectDto)
  subject?: SubjectDto;

  @ApiProperty({ example: 'Older males collecting her from school; missing overnight twice this month.' })
  @Transform(trim)
  @IsString()
  @Length(1, 20000)
  reason!: string;

  @ApiProperty({ enum: RAGS })
  @IsIn(RAGS)
  rag!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  immediateDanger?: boolean;

  @ApiProperty({ description: 'Was consent to share obtained? If not, give the reason and the lawful basis.' })
  @IsBoolean()
  consentObtained!: boolean;

  @ApiPropertyOptional({ description: 'Why consent was not sought or obtained.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  noConsentReason?: string;

  @ApiPropertyOptional({ enum: LAWFUL_BASES })
  @IsOptional()
  @IsIn(LAWFUL_BASES)
  lawfulBasis?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The concerns this referral comes from.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  concernIds?: string[];
}

export class TransitionDto {
  @ApiProperty({ enum: REFERRAL_STATUSES })
  @IsIn(REFERRAL_STATUSES)
  to!: string;

  @ApiPropertyOptional({ description: 'Required to decline or withdraw.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'On accepting a referral about an unidentified child: the child record it is about.',
  })
  @IsOptional()
  @IsUUID()
  childId?: string;
}

export class TriageDto {
  @ApiProperty({ enum: RAGS })
  @IsIn(RAGS)
  rag!: string;

  @ApiPropertyOptional({ description: 'Required when the RAG changes.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason?: string;
}

/** What MASH knows of a child not yet identified on the referral, to register it. */
export class DecisionChildDto extends PartialType(OmitType(CreateChildDto, ['addresses'] as const)) {}

export class DecisionDto {
  @ApiProperty({ enum: CS_OUTCOMES })
  @IsIn(CS_OUTCOMES)
  outcome!: string;

  @ApiProperty()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'When the referral names no child yet: the child record it is about (one you may see).',
  })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({ description: 'When the referral names no child yet: a match reference you were given.' })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  matchReference?: string;

  @ApiPropertyOptional({
    type: DecisionChildDto,
    description:
      "When the referral names no child yet: the child's details (added to the referral's) to find the record " +
      "already on the system or register it. An outcome that keeps children's services working with the child " +
      '(early help, assessment, strategy discussion, immediate protection) always identifies or registers one.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => DecisionChildDto)
  child?: DecisionChildDto;
}

export class OrgRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
}

export class TransitionView {
  @ApiProperty({ type: String, nullable: true, enum: REFERRAL_STATUSES }) fromStatus!: string | null;
  @ApiProperty({ enum: REFERRAL_STATUSES }) toStatus!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) reason!: string | null;
  @ApiProperty() at!: Date;
}

export class ReferralDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: REFERRAL_STATUSES }) status!: string;
  @ApiProperty({ type: OrgRef }) from!: OrgRef;
  @ApiProperty({ type: OrgRef }) to!: OrgRef;
  @ApiProperty({ type: OrgRef }) toTeam!: OrgRef;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The child on the shared record: shown to the receiving organisation and to organisations working with the ' +
      'child; null for a sender who referred by match reference (a child another agency holds).',
  })
  childId!: string | null;
  @ApiProperty({ type: SubjectDto }) subject!: SubjectDto;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 20000,
    description: 'Null only where withheld (see withheld).',
  })
  reason!: string | null;
  @ApiProperty({ enum: RAGS }) rag!: string;
  @ApiProperty() immediateDanger!: boolean;
  @ApiProperty() consentObtained!: boolean;
  @ApiProperty({ type: String, nullable: true, maxLength: 1000 }) noConsentReason!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: LAWFUL_BASES }) lawfulBasis!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) declineReason!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: RAGS }) triageRag!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: CS_OUTCOMES }) outcome!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) outcomeReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt!: Date | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiPropertyOptional({
    type: [TransitionView],
    maxItems: 10,
    description: 'Oldest first; the statuses only move forward, so a referral has a handful at most.',
  })
  transitions?: TransitionView[];
  @ApiPropertyOptional({
    enum: REFERRAL_STATUSES,
    isArray: true,
    maxItems: REFERRAL_STATUSES.length,
    description: 'On a refused transition: where it can go from here.',
  })
  allowed?: string[];
  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    items: { type: 'string', maxLength: 40 },
    description:
      'On a single read: the fields a police force wrote, withheld (null) from a reader not party to the work ' +
      '(an inspector): police intelligence, which inspection does not read. Empty for the parties.',
  })
  withheld?: string[];
}

export class ReferralPage {
  @ApiPageData(ReferralDto) data!: ReferralDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class ReferralListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsIn(REFERRAL_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'Only overdue (true) or not overdue (false).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ enum: RAGS })
  @IsOptional()
  @IsIn(RAGS)
  rag?: string;

  @ApiPropertyOptional({
    enum: ['mine', 'organisation'],
    description: 'Inbox: my team only (default) or the whole organisation.',
  })
  @IsOptional()
  @IsIn(['mine', 'organisation'])
  scope?: 'mine' | 'organisation';
}
