import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CreateConcernDto } from '@app/referrals';
import { ApiNextCursor, ApiPageData, IsCalendarDate, IsTimestamp, PageQuery } from '@app/platform';
import { TRANSFER_DESTINATIONS, TRANSFER_STATUSES } from './education.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class AddPupilDto {
  @ApiProperty({
    description: 'Unique Pupil Number: a modulus-23 check letter, then 12 characters.',
    example: 'A123456789012',
  })
  @Transform(trim)
  @IsString()
  @MaxLength(20)
  upn!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A child your school already works with; or give the details.' })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({
    description: "The name your school knows the pupil by (default: the record's, with childId).",
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  givenName?: string;

  @ApiPropertyOptional({ description: "The pupil's family name (default: the record's, with childId)." })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  familyName?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;
  @ApiPropertyOptional({ description: 'NHS number (10 digits), if known.' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  nhsNumber?: string;

  @ApiPropertyOptional({ example: '7' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 10) yearGroup?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Default: today.' })
  @IsOptional()
  @IsCalendarDate()
  onRollFrom?: string;
}

/** A pupil on the roll. Staff see who (name, year); the DSL also the UPN and the child's id. */
export class PupilDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 100 }) givenName!: string;
  @ApiProperty({ maxLength: 100 }) familyName!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 10 }) yearGroup!: string | null;
  @ApiProperty({ format: 'date' }) onRollFrom!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) leftOn!: string | null;
  @ApiPropertyOptional({ description: 'The DSL only.', maxLength: 13 }) upn?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The DSL only.' }) childId?: string;
  @ApiPropertyOptional({ description: 'The DSL only.' }) version?: number;
}

/**
 * A correction to the roll: the name and date of birth the school knows the pupil by, and the year
 * group. The roll keeps its own (it does not follow the shared record); the DSL corrects it here.
 * A name can be corrected, not cleared; the date of birth and year group clear with null.
 */
export class UpdatePupilDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  givenName?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  familyName?: string;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'null clears it.' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10, example: '8', description: 'null clears it.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 10)
  yearGroup?: string | null;
}

export class PupilPage {
  @ApiPageData(PupilDto) data!: PupilDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class PupilListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Family name starts with (case-insensitive).' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  familyName?: string;
}

/** A concern about a pupil on your roll: named by the roll entry, never retyped. */
export class PupilConcernDto extends OmitType(CreateConcernDto, ['childId', 'subject'] as const) {}

export class AddActionDto {
  @ApiProperty({ description: 'What the DSL did (e.g. spoke to parents, referred to MASH).' })
  @Transform(trim)
  @IsString()
  @Length(1, 5000)
  action!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default: now.' })
  @IsOptional()
  @IsTimestamp()
  takenAt?: string;
}

export class SafeguardingActionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 5000 }) action!: string;
  @ApiProperty({ format: 'date-time' }) takenAt!: string;
  @ApiProperty({ format: 'uuid' }) takenBy!: string;
}

export class FileConcernDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 30 }) category!: string;
  @ApiProperty({ maxLength: 20000 }) whatWasSeen!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 20000 }) childsWords!: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty() immediateDanger!: boolean;
  @ApiProperty({ enum: ['OPEN', 'MONITOR', 'NO_FURTHER_ACTION', 'REFERRED'], description: "The DSL's decision." })
  status!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 2000 }) decisionReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
}

/** The pupil's status, read from the shared record (children's services' section). */
export class PupilStatusDto {
  @ApiProperty() childInNeed!: boolean;
  @ApiProperty() childProtectionPlan!: boolean;
  @ApiProperty() lookedAfter!: boolean;
}

export class ReceivedFileDto {
  @ApiProperty({ format: 'uuid' }) transferId!: string;
  @ApiProperty({ maxLength: 200 }) fromSchool!: string;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
}

/** The DSL's safeguarding file on a pupil. */
export class SafeguardingFileDto {
  @ApiProperty({ type: PupilDto }) pupil!: PupilDto;
  @ApiProperty({ type: String, format: 'date', nullable: true }) dateOfBirth!: string | null;
  @ApiProperty({ type: PupilStatusDto }) status!: PupilStatusDto;
  @ApiProperty({ type: [FileConcernDto], maxItems: 10000 }) concerns!: FileConcernDto[];
  @ApiProperty({ type: [SafeguardingActionDto], maxItems: 10000 }) actions!: SafeguardingActionDto[];
  @ApiProperty({
    type: [ReceivedFileDto],
    maxItems: 100,
    description: 'Files received from schools the pupil came from.',
  })
  receivedFiles!: ReceivedFileDto[];
}

export class ClosureDayDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ example: 'Half term' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  reason!: string;
}

export class ClosureDaysDto {
  @ApiProperty({ type: [ClosureDayDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ClosureDayDto)
  days!: ClosureDayDto[];
}

export class CreateTransferDto {
  @ApiProperty({
    format: 'date',
    description: 'The day the pupil left: today (London) or before, not before the pupil joined the roll (onRollFrom).',
  })
  @IsCalendarDate()
  movedOn!: string;

  @ApiProperty({
    enum: TRANSFER_DESTINATIONS,
    description:
      "SCHOOL (name it in toSchoolId); UNKNOWN or OUT_OF_AREA go to the council's children missing education officer (councilId).",
  })
  @IsIn(TRANSFER_DESTINATIONS)
  destination!: (typeof TRANSFER_DESTINATIONS)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'The new school (destination SCHOOL).' })
  @IsOptional()
  @IsUUID()
  toSchoolId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The council of the area (destination UNKNOWN or OUT_OF_AREA).' })
  @IsOptional()
  @IsUUID()
  councilId?: string;
}

export class OrganisationRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
}

export class FileTransferSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: TRANSFER_STATUSES }) status!: string;
  @ApiProperty({ enum: TRANSFER_DESTINATIONS }) destination!: string;
  @ApiProperty({ type: OrganisationRefDto }) from!: OrganisationRefDto;
  @ApiProperty({ type: OrganisationRefDto, nullable: true }) to!: OrganisationRefDto | null;
  @ApiProperty({ type: OrganisationRefDto, nullable: true }) council!: OrganisationRefDto | null;
  @ApiProperty({ format: 'date' }) movedOn!: string;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Receipt to be confirmed by (5 school days from the move).' })
  dueAt!: string;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) receivedAt!: string | null;
  @ApiProperty({ description: 'Send it back in If-Match to confirm receipt.' }) version!: number;
}

export class FileTransferPage {
  @ApiPageData(FileTransferSummaryDto) data!: FileTransferSummaryDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class ProvenanceDto {
  @ApiProperty({ type: OrganisationRefDto }) fromSchool!: OrganisationRefDto;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
  @ApiProperty({ format: 'uuid' }) sentBy!: string;
  @ApiProperty({ format: 'date' }) movedOn!: string;
  @ApiProperty({ maxLength: 200 }) note!: string;
}

/** The safeguarding file as it stood when sent, and where it came from. */
export class TransferredFileDto extends SafeguardingFileDto {
  @ApiProperty({ type: ProvenanceDto }) provenance!: ProvenanceDto;
}

/** The transferred file: a read-only copy as sent, with where it came from. */
export class FileTransferDto extends FileTransferSummaryDto {
  @ApiProperty({ type: TransferredFileDto, description: 'The file as sent (read-only), with its provenance.' })
  file!: TransferredFileDto;
}

export class TransferInboxQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only overdue (true) or not overdue (false).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
}
