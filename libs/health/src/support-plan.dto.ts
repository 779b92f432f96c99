import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ApiNextCursor, ApiPageData, IsCalendarDate, PageQuery } from '@app/platform';
import { CONSENT_GIVERS, SUPPORT_END_REASONS, SUPPORT_PLAN_STATUSES } from './support-plan.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ConsentDto {
  @ApiProperty({
    enum: CONSENT_GIVERS,
    description: 'Who consented: the child, the young person, a parent or carer for them, or the adult survivor.',
  })
  @IsIn(CONSENT_GIVERS)
  givenBy!: (typeof CONSENT_GIVERS)[number];

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  givenOn!: string;

  @ApiPropertyOptional({ maxLength: 2000, description: 'How consent was sought and what was agreed.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  notes?: string;
}

export class CreateSupportPlanDto {
  @ApiProperty({ format: 'uuid', description: 'The child (or adult survivor) on the record, whom you work with.' })
  @IsUUID()
  childId!: string;

  @ApiProperty({ maxLength: 200, example: 'Northshire CSE Recovery Service' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  service!: string;

  @ApiProperty({ type: ConsentDto, description: 'Consent recorded: support is never started without it.' })
  @IsDefined({ message: 'consent is required: support is never started without it' })
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent!: ConsentDto;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  startDate!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An active colleague of your organisation (default: you).' })
  @IsOptional()
  @IsUUID()
  keyWorkerId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 12, default: 3, description: 'Months between reviews.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(12)
  reviewIntervalMonths?: number;
}

/** A change to a plan: each field given is changed; none can be cleared (null is a 400 naming it). */
export class UpdateSupportPlanDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A new key worker: an active colleague of the service.' })
  @IsOptional()
  @IsUUID()
  keyWorkerId?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  service?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 12, description: 'Months between reviews (from the next review on).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(12)
  reviewIntervalMonths?: number;
}

export class AddSupportReviewDto {
  @ApiProperty({ format: 'date', description: 'The day the review was held (not in the future).' })
  @IsCalendarDate()
  heldOn!: string;

  @ApiProperty({ maxLength: 4000, description: 'The outcome of the review.' })
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  outcome!: string;
}

/** A correction of a recorded review: its outcome as it should have been, and why (the original stays). */
export class CorrectSupportReviewDto {
  @ApiProperty({ maxLength: 4000, description: 'The outcome as it should have been recorded.' })
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  outcome!: string;

  @ApiProperty({ maxLength: 1000, description: 'Why the recorded outcome was wrong.' })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason!: string;
}

/** What an edit of a recorded review would send: refused whatever it says (reviews are sealed). */
export class EditSupportReviewDto {
  @ApiPropertyOptional({ maxLength: 10 })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  heldOn?: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  outcome?: string;
}

export class EndSupportPlanDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  endedOn!: string;

  @ApiProperty({ enum: SUPPORT_END_REASONS })
  @IsIn(SUPPORT_END_REASONS)
  reason!: (typeof SUPPORT_END_REASONS)[number];

  @ApiProperty({ maxLength: 4000, description: "The person's own view of the support ending (required)." })
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  personsView!: string;
}

export class SupportReviewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date' }) heldOn!: string;
  @ApiProperty({ maxLength: 4000 }) outcome!: string;
  @ApiProperty({ format: 'uuid' }) recordedBy!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The review this one corrects (a correction keeps the heldOn of the original).',
  })
  correctsReviewId!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 1000, description: 'Why it was corrected.' })
  correctionReason!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The correction of this review, if it was corrected: its outcome is the one that stands.',
  })
  correctedBy!: string | null;
}

export class SupportPlanDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) service!: string;
  @ApiProperty({ type: ConsentDto }) consent!: ConsentDto;
  @ApiProperty({ format: 'date' }) startDate!: string;
  @ApiProperty({ format: 'uuid' }) keyWorkerId!: string;
  @ApiProperty({ minimum: 1, maximum: 12 }) reviewIntervalMonths!: number;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'Null once ended.' })
  nextReviewDue!: string | null;
  @ApiProperty({ description: 'The next review is past due.' }) reviewOverdue!: boolean;
  @ApiProperty({ enum: SUPPORT_PLAN_STATUSES }) status!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) endedOn!: string | null;
  @ApiProperty({ type: String, enum: SUPPORT_END_REASONS, nullable: true }) endReason!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 4000 }) personsView!: string | null;
  @ApiProperty({ type: [SupportReviewDto], maxItems: 1000 }) reviews!: SupportReviewDto[];
  @ApiProperty({ minimum: 1 }) version!: number;
}

export class SupportPlanListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'One child only.' })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({ enum: SUPPORT_PLAN_STATUSES })
  @IsOptional()
  @IsIn(SUPPORT_PLAN_STATUSES)
  status?: (typeof SUPPORT_PLAN_STATUSES)[number];
}

export class SupportPlanSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ maxLength: 200 }) service!: string;
  @ApiProperty({ format: 'uuid' }) keyWorkerId!: string;
  @ApiProperty({ enum: SUPPORT_PLAN_STATUSES }) status!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) nextReviewDue!: string | null;
  @ApiProperty() reviewOverdue!: boolean;
}

export class SupportPlanPage {
  @ApiPageData(SupportPlanSummaryDto) data!: SupportPlanSummaryDto[];
  @ApiNextCursor() nextCursor!: string | null;
}
