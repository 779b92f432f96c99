import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { PURPOSES_OF_USE, SENSITIVITY_CLASSES } from '@app/access';
import { ApiNextCursor, ApiPageData, IsCalendarDate, IsTimestamp, ORGANISATION_TYPES, PageQuery } from '@app/platform';
import { CHRONOLOGY_CATEGORIES } from './chronology.entity';
import { INVOLVEMENT_BASES } from './involvement.entity';
import { DISABILITY_CODES, ETHNICITY_CODES, SEX_CODES } from './child.entity';
import { type IdentifierKind, LA_CHILD_ID_MAX_LENGTH, normaliseIdentifier, validateIdentifier } from './identifiers';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Free-text notes and details: the longest text any field of the record takes. */
const NOTES_MAX_LENGTH = 20000;
/** Addresses of one child's history, all organisations together (POST .../addresses refuses more: 422). */
export const MAX_ADDRESSES_PER_CHILD = 100;

/** Longest accepted form of each identifier (an NHS number may be written `943 476 5919`). */
const IDENTIFIER_MAX_LENGTH: Record<IdentifierKind, number> = {
  nhs_number: 12,
  upn: 13,
  pnc_id: 11,
  la_child_id: LA_CHILD_ID_MAX_LENGTH,
};

/** Validates (after normalising) an NHS number, UPN, PNC ID or local authority child id, and bounds its length. */
function IsIdentifier(kind: IdentifierKind, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    MaxLength(IDENTIFIER_MAX_LENGTH[kind], options)(target, propertyName);
    registerDecorator({
      name: 'isIdentifier',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && validateIdentifier(kind, value).valid,
        defaultMessage: (args) => {
          const v = args?.value;
          const result = typeof v === 'string' ? validateIdentifier(kind, v) : null;
          return `${propertyName} ${result && !result.valid ? result.reason : 'must be a string'}`;
        },
      },
    });
  };
}
const normalise =
  (kind: IdentifierKind) =>
  ({ value }: { value: unknown }) =>
    typeof value === 'string' && validateIdentifier(kind, value).valid ? normaliseIdentifier(kind, value) : value;

export class AddressDto {
  @ApiProperty({ example: '12 Mill Lane' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  line1!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  line2?: string;

  @ApiProperty({ example: 'Northtown' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  town!: string;

  @ApiProperty({ example: 'NT1 4AB' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @Matches(/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/, { message: 'postcode must be a UK postcode' })
  @MaxLength(8)
  postcode!: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  fromDate?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  untilDate?: string;

  @ApiPropertyOptional({ description: 'A refuge or placement address: only your organisation will see it.' })
  @IsOptional()
  @IsBoolean()
  confidential?: boolean;
}

class ChildFields {
  @ApiProperty({ example: 'Jade' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  givenName!: string;

  @ApiProperty({ example: 'Example' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  familyName!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  preferredName?: string;

  @ApiPropertyOptional({ type: [String], description: 'Previous names and known aliases.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  previousNames?: string[];

  @ApiPropertyOptional({ format: 'date', example: '2011-04-02' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;

  @ApiPropertyOptional({ format: 'date', description: 'For an unborn child.' })
  @IsOptional()
  @IsCalendarDate()
  expectedDateOfBirth?: string;

  @ApiPropertyOptional({ enum: SEX_CODES, default: 'U' })
  @IsOptional()
  @IsIn(SEX_CODES)
  sex?: (typeof SEX_CODES)[number];

  @ApiPropertyOptional({ enum: ETHNICITY_CODES, description: 'CIN census ethnicity code' })
  @IsOptional()
  @IsIn(ETHNICITY_CODES)
  ethnicity?: string;

  @ApiPropertyOptional({ example: 'English' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 60)
  firstLanguage?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  interpreterNeeded?: boolean;

  @ApiPropertyOptional({ enum: DISABILITY_CODES, isArray: true, description: 'CIN census disability codes' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DISABILITY_CODES.length)
  @ArrayUnique()
  @IsIn(DISABILITY_CODES, { each: true })
  disabilities?: string[];

  @ApiPropertyOptional({ example: '943 476 5919', description: 'Validated by its check digit.' })
  @IsOptional()
  @IsIdentifier('nhs_number')
  @Transform(normalise('nhs_number'))
  nhsNumber?: string;

  @ApiPropertyOptional({ description: 'Unique Pupil Number, validated by its check letter.' })
  @IsOptional()
  @IsIdentifier('upn')
  @Transform(normalise('upn'))
  upn?: string;

  @ApiPropertyOptional({ example: '12/1234567X', description: 'Police National Computer ID (police only).' })
  @IsOptional()
  @IsIdentifier('pnc_id')
  @Transform(normalise('pnc_id'))
  pncId?: string;

  @ApiPropertyOptional({ description: "The council's own child id." })
  @IsOptional()
  @IsIdentifier('la_child_id')
  @Transform(normalise('la_child_id'))
  laChildId?: string;
}

export class CreateChildDto extends ChildFields {
  @ApiPropertyOptional({ type: [AddressDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AddressDto)
  addresses?: AddressDto[];
}

export class UpdateChildDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) givenName?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) familyName?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) preferredName?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  previousNames?: string[];
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  expectedDateOfBirth?: string;
  @ApiPropertyOptional({ enum: SEX_CODES }) @IsOptional() @IsIn(SEX_CODES) sex?: (typeof SEX_CODES)[number];
  @ApiPropertyOptional({ enum: ETHNICITY_CODES }) @IsOptional() @IsIn(ETHNICITY_CODES) ethnicity?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 60) firstLanguage?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() interpreterNeeded?: boolean;
  @ApiPropertyOptional({ enum: DISABILITY_CODES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DISABILITY_CODES.length)
  @ArrayUnique()
  @IsIn(DISABILITY_CODES, { each: true })
  disabilities?: string[];
  @ApiPropertyOptional()
  @IsOptional()
  @IsIdentifier('nhs_number')
  @Transform(normalise('nhs_number'))
  nhsNumber?: string;
  @ApiPropertyOptional() @IsOptional() @IsIdentifier('upn') @Transform(normalise('upn')) upn?: string;
  @ApiPropertyOptional() @IsOptional() @IsIdentifier('pnc_id') @Transform(normalise('pnc_id')) pncId?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsIdentifier('la_child_id')
  @Transform(normalise('la_child_id'))
  laChildId?: string;

  @ApiPropertyOptional({ description: 'Restrict the record to the named case team (leads only).' })
  @IsOptional()
  @IsBoolean()
  restricted?: boolean;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'With restricted=true: the users who may see the child.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  caseTeamUserIds?: string[];
}

export class ChildSearchQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Name, fuzzy and accent/case-insensitive (given, family, preferred or previous names).',
  })
  @IsOptional()
  @IsString()
  @Length(2, 100)
  q?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;

  @ApiPropertyOptional({ description: 'Any identifier: NHS number, UPN, PNC ID or LA child id.' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  identifier?: string;
}

/** One involvement per organisation working with the child: bounded by the partnership's organisations. */
const INVOLVEMENTS_MAX_ITEMS = 500;

export class InvolvementDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisationName!: string;
  @ApiProperty({ enum: ['lead', 'contributing'] }) kind!: string;
  @ApiProperty({ enum: INVOLVEMENT_BASES }) basis!: string;
  @ApiProperty({ enum: ['police_force', 'local_authority', 'school', 'health'] }) organisationType!: string;
  @ApiProperty() fromAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) untilAt!: Date | null;
  @ApiProperty() active!: boolean;
}

export class LeadDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisationName!: string;
}

export class AddressView extends AddressDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
}

export class ChildDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() version!: number;
  @ApiProperty() restricted!: boolean;
  @ApiPropertyOptional({ maxLength: 100 }) givenName?: string;
  @ApiPropertyOptional({ maxLength: 100 }) familyName?: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100 }) preferredName?: string | null;
  @ApiPropertyOptional({ type: [String], maxItems: 20, items: { type: 'string', maxLength: 100 } })
  previousNames?: string[];
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) dateOfBirth?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true }) expectedDateOfBirth?: string | null;
  @ApiPropertyOptional({ enum: SEX_CODES }) sex?: string;
  @ApiPropertyOptional({ type: String, nullable: true, enum: ETHNICITY_CODES }) ethnicity?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 60 }) firstLanguage?: string | null;
  @ApiPropertyOptional() interpreterNeeded?: boolean;
  @ApiPropertyOptional({ enum: DISABILITY_CODES, isArray: true, maxItems: DISABILITY_CODES.length })
  disabilities?: string[];
  @ApiPropertyOptional({ type: String, nullable: true, pattern: '^\\d{10}$', maxLength: 10 }) nhsNumber?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 13 }) upn?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 12, description: 'Police only.' })
  pncId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: LA_CHILD_ID_MAX_LENGTH }) laChildId?: string | null;
  @ApiPropertyOptional({
    type: [InvolvementDto],
    maxItems: INVOLVEMENTS_MAX_ITEMS,
    description: 'The organisations working with the child that you may learn of (tipping-off rules).',
  })
  involvements?: InvolvementDto[];
  @ApiPropertyOptional({
    type: LeadDto,
    nullable: true,
    description: "The lead agency: children's services once it accepts a referral or opens an assessment.",
  })
  lead?: LeadDto | null;
  @ApiPropertyOptional({ type: [AddressView], maxItems: MAX_ADDRESSES_PER_CHILD }) addresses?: AddressView[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ChildPage {
  @ApiPageData(ChildDto, 'Fields filtered by your permissions; no addresses or involvements in lists.')
  data!: ChildDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class SectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ enum: ['police_force', 'local_authority', 'school', 'health'] }) agencyType!: string;
  @ApiProperty() version!: number;
  @ApiProperty() updatedAt!: Date;
  @ApiPropertyOptional({ type: [String], maxItems: 50, items: { type: 'string', maxLength: 60 } }) markers?: string[];
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: NOTES_MAX_LENGTH })
  intelligenceNotes?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 40 }) legalStatus?: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) allocatedWorkerId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 40 }) planStatus?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) schoolName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10 }) yearGroup?: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) attendancePercent?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) exclusions?: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: NOTES_MAX_LENGTH })
  safeguardingNotes?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) gpPractice?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: NOTES_MAX_LENGTH }) healthNotes?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: NOTES_MAX_LENGTH })
  sexualHealthNotes?: string | null;
}

/** The whole of one agency's section; only the fields of that agency's type are accepted. */
export class PutSectionDto {
  @ApiPropertyOptional({ type: [String], description: 'police' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 60, { each: true })
  markers?: string[];
  @ApiPropertyOptional({ description: 'police' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  intelligenceNotes?: string;
  @ApiPropertyOptional({ description: "children's services" })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  legalStatus?: string;
  @ApiPropertyOptional({ format: 'uuid', description: "children's services" })
  @IsOptional()
  @IsUUID()
  allocatedWorkerId?: string;
  @ApiPropertyOptional({ description: "children's services" })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  planStatus?: string;
  @ApiPropertyOptional({ description: 'education' }) @IsOptional() @IsString() @MaxLength(200) schoolName?: string;
  @ApiPropertyOptional({ description: 'education' }) @IsOptional() @IsString() @MaxLength(10) yearGroup?: string;
  @ApiPropertyOptional({ description: 'education' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  attendancePercent?: number;
  @ApiPropertyOptional({ description: 'education' }) @IsOptional() @IsInt() @Min(0) @Max(1000) exclusions?: number;
  @ApiPropertyOptional({ description: 'education' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  safeguardingNotes?: string;
  @ApiPropertyOptional({ description: 'health' }) @IsOptional() @IsString() @MaxLength(200) gpPractice?: string;
  @ApiPropertyOptional({ description: 'health' }) @IsOptional() @IsString() @MaxLength(20000) healthNotes?: string;
  @ApiPropertyOptional({ description: 'health' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  sexualHealthNotes?: string;
}

/** A chronology entry; a multi-agency summary line carries no detail, author, class or sharing flag. */
export class ChronologyEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid', description: 'The recording agency' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisationName!: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) authorId?: string | null;
  @ApiProperty() occurredAt!: Date;
  @ApiProperty() recordedAt!: Date;
  @ApiProperty({ enum: CHRONOLOGY_CATEGORIES }) category!: string;
  @ApiProperty({ maxLength: 300 }) summary!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: NOTES_MAX_LENGTH }) detail?: string | null;
  @ApiPropertyOptional({ enum: SENSITIVITY_CLASSES }) sensitivity?: string;
  @ApiPropertyOptional() shareable?: boolean;
  @ApiProperty() multiAgency!: boolean;
}

export class ChronologyPage {
  @ApiPageData(ChronologyEntryDto) data!: ChronologyEntryDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class CreateChronologyEntryDto {
  @ApiProperty({ format: 'date-time' })
  @IsTimestamp()
  occurredAt!: string;

  @ApiProperty({ enum: CHRONOLOGY_CATEGORIES })
  @IsIn(CHRONOLOGY_CATEGORIES)
  category!: string;

  @ApiProperty({ example: 'Reported missing overnight; found at a known hotspot address.' })
  @Transform(trim)
  @IsString()
  @Length(1, 300)
  summary!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  detail?: string;

  @ApiProperty({ enum: SENSITIVITY_CLASSES, description: 'Decides who may ever read the entry.' })
  @IsIn(SENSITIVITY_CLASSES)
  sensitivity!: string;

  @ApiProperty({ description: 'Visible to other involved agencies whose roles read this class.' })
  @IsBoolean()
  shareable!: boolean;

  @ApiPropertyOptional({
    description:
      'On the multi-agency chronology: its summary is seen by every organisation working with the child. ' +
      'Defaults to true for safeguarding events (concern, referral, assessment, strategy discussion, conference, ' +
      'missing episode, decision, disclosure) except police intelligence, false otherwise.',
  })
  @IsOptional()
  @IsBoolean()
  multiAgency?: boolean;
}

export class ChronologyQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['all', 'multi-agency'],
    description:
      'all (default): every entry you may see. multi-agency: the merged chronology of safeguarding events ' +
      'every agency working with the child recorded for it, as summaries, with the recording agency on each line.',
  })
  @IsOptional()
  @IsIn(['all', 'multi-agency'])
  view?: 'all' | 'multi-agency';
}

export class BreakGlassDto {
  @ApiProperty({ minLength: 10, example: 'Child presented at A&E out of hours; police requesting urgent checks.' })
  @Transform(trim)
  @IsString()
  @Length(10, 1000)
  reason!: string;
}

export class BreakGlassResponse {
  @ApiProperty({ format: 'uuid' }) grantId!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty() expiresAt!: Date;
}

/**
 * One access. Another organisation's access shows only `seq`, `at`, `breakGlass` and
 * `organisation` (a police force or health provider of another kind unnamed), unless the reader
 * is an inspector or a data protection officer.
 */
export class AccessLogEntryDto {
  @ApiProperty({ pattern: '^\\d{1,19}$', maxLength: 19, description: 'The audit event: a PostgreSQL bigint.' })
  seq!: string;
  @ApiProperty() at!: Date;
  @ApiPropertyOptional({ example: 'child.read', maxLength: 60 }) action?: string;
  @ApiPropertyOptional({ enum: ['allowed', 'denied', 'not_found'] }) outcome?: string;
  @ApiPropertyOptional({ enum: [...PURPOSES_OF_USE] }) purpose?: string;
  @ApiProperty() breakGlass!: boolean;
  @ApiPropertyOptional({
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['user', 'client'] },
      id: { type: 'string', format: 'uuid', maxLength: 36 },
      name: { type: 'string', nullable: true, maxLength: 200 },
    },
  })
  actor?: { kind: string; id: string; name: string | null };
  @ApiProperty({
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid', maxLength: 36, nullable: true },
      name: { type: 'string', nullable: true, maxLength: 200, example: 'a police force' },
      type: { type: 'string', nullable: true, enum: [...ORGANISATION_TYPES] },
    },
  })
  organisation!: { id: string | null; name: string | null; type?: string | null };
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 64 }) requestId?: string | null;
  @ApiPropertyOptional({ example: 'ChildSection', maxLength: 40 }) subjectType?: string;
  @ApiPropertyOptional({
    enum: SENSITIVITY_CLASSES,
    isArray: true,
    maxItems: SENSITIVITY_CLASSES.length,
    nullable: true,
    description: 'Classes read under a disclosure (grant).',
  })
  underGrant?: string[] | null;
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    isArray: true,
    maxItems: 100,
    maxLength: 36,
    nullable: true,
    description: 'The organisations whose disclosures it was read under (they see such reads in full).',
  })
  underGrantFrom?: string[] | null;
}

export class AccessLogPage {
  @ApiPageData(AccessLogEntryDto) data!: AccessLogEntryDto[];
  @ApiNextCursor() nextCursor!: string | null;
}
