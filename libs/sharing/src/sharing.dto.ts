import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { LAWFUL_BASES, SENSITIVITY_CLASSES } from '@app/access';
import { ApiNextCursor, ApiPageData, IsCalendarDate, IsTimestamp, PageQuery } from '@app/platform';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class AgreementPartyDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() organisationId!: string;

  @ApiProperty({ enum: SENSITIVITY_CLASSES, isArray: true, description: 'Classes this party may receive.' })
  @IsArray()
  @ArrayMaxSize(SENSITIVITY_CLASSES.length)
  @ArrayUnique()
  @IsIn(SENSITIVITY_CLASSES, { each: true })
  receivableClasses!: string[];
}

export class CreateAgreementDto {
  @ApiProperty({ example: 'Northshire CSE information-sharing protocol' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'Joint identification and disruption of child sexual exploitation.' })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  purpose!: string;

  @ApiProperty({ enum: LAWFUL_BASES }) @IsIn(LAWFUL_BASES) lawfulBasis!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) lawfulBasisDetail?: string;

  @ApiProperty({ format: 'date' }) @IsCalendarDate() startsOn!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() endsOn!: string;

  @ApiProperty({ type: [AgreementPartyDto], description: 'At least two parties, yours among them.' })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AgreementPartyDto)
  parties!: AgreementPartyDto[];
}

export class AgreementDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 2000,
    description: 'Null only where withheld (see withheld).',
  })
  purpose!: string | null;
  @ApiProperty({ enum: LAWFUL_BASES }) lawfulBasis!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) lawfulBasisDetail!: string | null;
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ format: 'date' }) endsOn!: string;
  @ApiProperty({ format: 'uuid' }) approvedBy!: string;
  @ApiProperty() approvedAt!: Date;
  @ApiProperty({ type: [AgreementPartyDto], maxItems: 20 }) parties!: AgreementPartyDto[];
}

export class AgreementPage {
  @ApiPageData(AgreementDto) data!: AgreementDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class ChildIdentificationDto {
  @ApiPropertyOptional({ example: '4010232137' })
  @IsOptional()
  @Matches(/^\d{3} ?\d{3} ?\d{4}$/)
  @MaxLength(12)
  nhsNumber?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) givenName?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) familyName?: string;
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;
}

/** How the requester identified the child (as sent), shown to the receiver. */
export class RequestIdentificationDto extends ChildIdentificationDto {
  @ApiPropertyOptional({ format: 'uuid' }) childId?: string;
  @ApiPropertyOptional({ pattern: '^MR-[0-9A-F]{12}$', maxLength: 15 }) matchReference?: string;
}

export class CreateInformationRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The organisation asked.' })
  @IsUUID()
  toOrganisationId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A child you can see.' })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({ example: 'MR-1A2B3C4D5E6F', description: 'A match reference your organisation was given.' })
  @IsOptional()
  @Matches(/^MR-[0-9A-F]{12}$/)
  @MaxLength(15)
  matchReference?: string;

  @ApiPropertyOptional({ type: ChildIdentificationDto, description: 'NHS number, or names and date of birth.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChildIdentificationDto)
  identifiers?: ChildIdentificationDto;

  @ApiProperty({ example: 'Strategy discussion tomorrow: suspected exploitation across the force boundary.' })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  purpose!: string;

  @ApiProperty({ enum: SENSITIVITY_CLASSES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SENSITIVITY_CLASSES.length)
  @ArrayUnique()
  @IsIn(SENSITIVITY_CLASSES, { each: true })
  classesRequested!: string[];

  @ApiProperty({
    enum: ['urgent', 'standard'],
    description: 'urgent: within 4 hours; standard: within 3 working days.',
  })
  @IsIn(['urgent', 'standard'])
  urgency!: 'urgent' | 'standard';
}

export class RequestDecisionDto {
  @ApiProperty({ enum: ['DISCLOSE', 'DECLINE'] })
  @IsIn(['DISCLOSE', 'DECLINE'])
  decision!: 'DISCLOSE' | 'DECLINE';

  @ApiProperty({ description: 'Why: recorded for both decisions, including a decision not to share.' })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;

  @ApiPropertyOptional({ enum: SENSITIVITY_CLASSES, isArray: true, description: 'What is disclosed (DISCLOSE).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SENSITIVITY_CLASSES.length)
  @ArrayUnique()
  @IsIn(SENSITIVITY_CLASSES, { each: true })
  classes?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Until when the requester may read it (DISCLOSE).' })
  @IsOptional()
  @IsTimestamp()
  until?: string;

  @ApiPropertyOptional({ enum: LAWFUL_BASES }) @IsOptional() @IsIn(LAWFUL_BASES) lawfulBasis?: string;

  @ApiPropertyOptional({ description: 'Required when no active agreement covers the disclosure.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  justification?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'When the request did not identify a child you hold: the child it is about.',
  })
  @IsOptional()
  @IsUUID()
  childId?: string;
}

export class InformationRequestDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) fromOrganisationId!: string;
  @ApiProperty({ maxLength: 200 }) fromOrganisationName!: string;
  @ApiProperty({ format: 'uuid' }) toOrganisationId!: string;
  @ApiProperty({ maxLength: 200 }) toOrganisationName!: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Shown to the receiver only.' })
  childId?: string | null;
  @ApiPropertyOptional({ type: RequestIdentificationDto, description: 'Shown to the receiver only.' })
  identification?: Record<string, string>;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 2000,
    description: 'Null only where withheld (see withheld).',
  })
  purpose!: string | null;
  @ApiProperty({ enum: SENSITIVITY_CLASSES, isArray: true, maxItems: SENSITIVITY_CLASSES.length })
  classesRequested!: string[];
  @ApiProperty({ enum: ['urgent', 'standard'] }) urgency!: string;
  @ApiProperty({ enum: ['REQUESTED', 'DISCLOSED', 'DECLINED'] }) status!: string;
  @ApiProperty() dueAt!: Date;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ enum: SENSITIVITY_CLASSES, isArray: true, maxItems: SENSITIVITY_CLASSES.length, nullable: true })
  classesDisclosed!: string[] | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disclosedUntil!: Date | null;
  @ApiProperty({ type: String, nullable: true, enum: LAWFUL_BASES }) lawfulBasis!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) decisionReason!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) agreementId!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) justification!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) grantId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    items: { type: 'string', maxLength: 40 },
    description:
      'On a single read: the fields a police force wrote, withheld (null) from a reader not party to the request ' +
      '(an inspector): police intelligence, which inspection does not read. Empty for the parties.',
  })
  withheld?: string[];
}

export class InformationRequestPage {
  @ApiPageData(InformationRequestDto) data!: InformationRequestDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class GrantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid' }) grantorOrganisationId!: string;
  @ApiProperty({ format: 'uuid' }) granteeOrganisationId!: string;
  @ApiProperty({ enum: SENSITIVITY_CLASSES, isArray: true, maxItems: SENSITIVITY_CLASSES.length }) classes!: string[];
  @ApiProperty() fromAt!: Date;
  @ApiProperty() untilAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 1000 }) revokeReason!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) requestId!: string | null;
  @ApiProperty() active!: boolean;
}

export class GrantPage {
  @ApiPageData(GrantDto) data!: GrantDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class RevokeGrantDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 1000) reason!: string;
}

export class RequestListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['REQUESTED', 'DISCLOSED', 'DECLINED'] })
  @IsOptional()
  @IsIn(['REQUESTED', 'DISCLOSED', 'DECLINED'])
  status?: string;
}
