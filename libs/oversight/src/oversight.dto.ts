import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export class DashboardQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 720, default: 24, description: 'Due soon: within this many hours.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(720)
  dueSoonHours?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 366,
    default: 90,
    description: 'Closed work, referrals and requests of the last N days.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  sinceDays?: number;
}

export class ExportQuery {
  @ApiPropertyOptional({ enum: ['csv', 'pdf'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv', 'pdf'])
  format: 'csv' | 'pdf' = 'csv';
}

export class OpenWorkRow {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisation!: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) teamId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) team!: string | null;
  @ApiProperty({ maxLength: 60, description: 'The clock (a declared deadline rule).' }) rule!: string;
  @ApiProperty() open!: number;
  @ApiProperty() overdue!: number;
  @ApiProperty() dueSoon!: number;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) oldestOverdueSince!: string | null;
  @ApiProperty({ format: 'date-time' }) nextDue!: string;
}

export class TimelinessRow {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisation!: string;
  @ApiProperty({ maxLength: 60 }) rule!: string;
  @ApiProperty() metInTime!: number;
  @ApiProperty() metLate!: number;
  @ApiProperty() cancelled!: number;
}

export class ReferralOutcomeRow {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisation!: string;
  @ApiProperty({ maxLength: 20 }) status!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 30 }) outcome!: string | null;
  @ApiProperty() count!: number;
}

export class RequestRow {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) organisation!: string;
  @ApiProperty() received!: number;
  @ApiProperty() disclosed!: number;
  @ApiProperty() declined!: number;
  @ApiProperty() awaiting!: number;
  @ApiProperty() answeredInTime!: number;
}

export class DashboardDto {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ format: 'date-time' }) dueSoonUntil!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({
    type: [OpenWorkRow],
    maxItems: 100000,
    description: 'Open work by organisation, team and clock, oldest overdue first.',
  })
  open!: OpenWorkRow[];
  @ApiProperty({ type: [TimelinessRow], maxItems: 100000 }) timeliness!: TimelinessRow[];
  @ApiProperty({
    type: [ReferralOutcomeRow],
    maxItems: 100000,
    description: 'Referrals received, by status and outcome.',
  })
  referrals!: ReferralOutcomeRow[];
  @ApiProperty({
    type: [RequestRow],
    maxItems: 100000,
    description: 'Information requests received: disclosed, declined, in time.',
  })
  requests!: RequestRow[];
}

export class TimelineActor {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) name!: string | null;
}

export class TimelineOrganisation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) name!: string | null;
}

export class TimelineReader {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) name!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class TimelineTold {
  @ApiProperty({ type: [String], maxItems: 20, items: { type: 'string', maxLength: 40 } }) roles!: string[];
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) team!: string | null;
  @ApiProperty({ type: [TimelineReader], maxItems: 10000 }) readBy!: TimelineReader[];
}

export class TimelineEventDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'referral.accepted', maxLength: 60 }) kind!: string;
  @ApiProperty({ maxLength: 40 }) subjectType!: string;
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiPropertyOptional({ type: TimelineOrganisation, nullable: true }) organisation!: TimelineOrganisation | null;
  @ApiPropertyOptional({ type: TimelineActor, nullable: true }) actor!: TimelineActor | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20000 }) what!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20000 }) why!: string | null;
  @ApiPropertyOptional({ type: TimelineTold }) told?: TimelineTold;
}

export class TimelinePerson {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) name!: string | null;
  @ApiProperty() count!: number;
  @ApiProperty({ format: 'date-time' }) first!: string;
  @ApiProperty({ format: 'date-time' }) last!: string;
}

export class TimelineAccessOrganisation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) name!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) type!: string | null;
}

export class TimelineAccessDto {
  @ApiProperty({ type: TimelineAccessOrganisation }) organisation!: TimelineAccessOrganisation;
  @ApiProperty({ maxLength: 40 }) role!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ format: 'date-time' }) first!: string;
  @ApiProperty({ format: 'date-time' }) last!: string;
  @ApiPropertyOptional({
    type: [TimelinePerson],
    maxItems: 100000,
    description: 'To those entitled to names (as in the access log).',
  })
  people?: TimelinePerson[];
}

export class TimelineDto {
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: [TimelineEventDto], maxItems: 100000 }) events!: TimelineEventDto[];
  @ApiProperty({ type: [TimelineAccessDto], maxItems: 100000 }) accesses!: TimelineAccessDto[];
}
