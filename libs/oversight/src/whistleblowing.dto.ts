import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { ApiNextCursor, ApiPageData, PageQuery } from '@app/platform';
import { REPORT_CATEGORIES, REPORT_OUTCOMES, REPORT_STATUSES } from './whistleblowing.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const REFERENCE_PATTERN = /^WB-[A-Z0-9]{10}$/;

export class CreateReportDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The organisation whose practice the report is about (from the directory), if you name one.',
  })
  @IsOptional()
  @IsUUID()
  concernedOrganisationId?: string;

  @ApiProperty({ enum: REPORT_CATEGORIES })
  @IsIn(REPORT_CATEGORIES)
  category!: string;

  @ApiProperty({ description: 'What you are worried about. Stored encrypted; only the inspectorate reads it.' })
  @Transform(trim)
  @IsString()
  @Length(1, 20000)
  text!: string;
}

export class ReportReceipt {
  @ApiProperty({ example: 'WB-7K3M9QX2TA', maxLength: 20, description: 'Quote it to follow the report up.' })
  reference!: string;

  @ApiProperty({
    maxLength: 200,
    description: 'Shown once, never again: with the reference it reads replies and adds information. Keep it safe.',
  })
  secret!: string;

  @ApiProperty({ enum: REPORT_STATUSES }) status!: string;
}

export class FollowUpDto {
  @ApiProperty({ example: 'WB-7K3M9QX2TA' })
  @Transform(trim)
  @IsString()
  @MaxLength(20)
  @Matches(REFERENCE_PATTERN, { message: 'reference must look like WB-XXXXXXXXXX' })
  reference!: string;

  @ApiProperty({ description: 'The follow-up secret you were given.' })
  @IsString()
  @Length(1, 200)
  secret!: string;
}

export class FollowUpMessageDto extends FollowUpDto {
  @ApiProperty({ description: 'More information for the inspectorate.' })
  @Transform(trim)
  @IsString()
  @Length(1, 20000)
  text!: string;
}

export class ReportMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['reporter', 'officer'] }) author!: string;
  @ApiProperty({ enum: ['inspectorate', 'reporter', 'organisation'] }) audience!: string;
  @ApiProperty({ maxLength: 20000 }) text!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** What the reporter sees: the status, the outcome, and what was said to them (nothing of the officer). */
export class ReporterView {
  @ApiProperty({ maxLength: 20 }) reference!: string;
  @ApiProperty({ enum: REPORT_STATUSES }) status!: string;
  @ApiPropertyOptional({ enum: REPORT_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ type: [ReportMessageDto], maxItems: 1000 }) messages!: ReportMessageDto[];
}

export class ReportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 20 }) reference!: string;
  @ApiProperty({ enum: REPORT_CATEGORIES }) category!: string;
  @ApiProperty({ enum: REPORT_STATUSES }) status!: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) concernedOrganisationId!: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) assignedTo!: string | null;
  @ApiPropertyOptional({ enum: REPORT_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) acknowledgedAt!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt!: string | null;
  @ApiProperty() version!: number;
  @ApiPropertyOptional({ type: [ReportMessageDto], maxItems: 1000, description: 'On a single report only.' })
  messages?: ReportMessageDto[];
}

export class ReportPage {
  @ApiPageData(ReportDto) data!: ReportDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class ReportListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REPORT_STATUSES })
  @IsOptional()
  @IsIn(REPORT_STATUSES)
  status?: string;
}

export const REPORT_MOVES = ['acknowledged', 'assigned', 'closed'] as const;

export class ReportTransitionDto {
  @ApiProperty({ enum: REPORT_MOVES })
  @IsIn(REPORT_MOVES)
  to!: (typeof REPORT_MOVES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'assigned: the whistleblowing officer who handles it.' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ enum: REPORT_OUTCOMES, description: 'closed: the outcome.' })
  @IsOptional()
  @IsIn(REPORT_OUTCOMES)
  outcome?: string;
}

export class ReportReplyDto {
  @ApiProperty({
    enum: ['reporter', 'organisation', 'inspectorate'],
    description:
      'reporter: the reporter reads it with the reference and secret; organisation: the organisation concerned ' +
      'reads it (only what you decide to tell it); inspectorate: an internal note.',
  })
  @IsIn(['reporter', 'organisation', 'inspectorate'])
  audience!: 'reporter' | 'organisation' | 'inspectorate';

  @ApiProperty()
  @Transform(trim)
  @IsString()
  @Length(1, 20000)
  text!: string;
}

export class NoticeListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The notices about one report (as the notification names it).' })
  @IsOptional()
  @IsUUID()
  reportId?: string;
}

/** What the organisation concerned reads: the notice the officer wrote to it, nothing of the report. */
export class NoticeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'Which report it is about (the notification names it).' })
  reportId!: string;
  @ApiProperty({ maxLength: 20000 }) text!: string;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
}

export class NoticePage {
  @ApiPageData(NoticeDto) data!: NoticeDto[];
  @ApiNextCursor() nextCursor!: string | null;
}
