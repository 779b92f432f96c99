import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
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
import { ApiNextCursor, ApiPageData, FIELD_LIMITS, IsCalendarDate, PageQuery } from '@app/platform';
import {
  ASSESSMENT_OUTCOMES,
  CIN_FACTORS,
  CLOSURE_REASONS,
  CP_CATEGORIES,
  ICPC_DECISIONS,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  REVIEW_DECISIONS,
  S47_OUTCOMES,
  STRATEGY_OUTCOMES,
} from './childrens-services.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const DateField = (description: string, optional = false) => {
  const api = optional ? ApiPropertyOptional : ApiProperty;
  return (target: object, key: string) => {
    api({ format: 'date', description, maxLength: FIELD_LIMITS.date })(target, key);
    if (optional) IsOptional()(target, key);
    IsCalendarDate()(target, key);
  };
};

export class CreateCaseDto {
  @ApiPropertyOptional({ format: 'uuid', description: "The child (working with it); else the referral's child." })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The MASH referral decided S17_ASSESSMENT, STRATEGY_DISCUSSION or IMMEDIATE_PROTECTION this case follows: its date is the referral date; STRATEGY_DISCUSSION convenes one.',
  })
  @IsOptional()
  @IsUUID()
  referralId?: string;

  @DateField('The referral date (without a referralId; else the date the referral was received).', true)
  referralDate?: string;

  @ApiProperty({ enum: REFERRAL_SOURCES, description: 'CIN census referral source code.' })
  @IsIn(REFERRAL_SOURCES)
  referralSource!: string;

  @ApiPropertyOptional({ enum: PRIMARY_NEEDS, description: 'Primary need (set at assessment otherwise).' })
  @IsOptional()
  @IsIn(PRIMARY_NEEDS)
  primaryNeed?: string;
}

export class ReallocateCaseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The social worker (or team manager) of the council the case goes to.',
  })
  @IsUUID()
  allocatedWorkerId!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "The team that holds the case from now on: the worker's own team (the default).",
  })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiProperty({ maxLength: 500, description: 'Why (recorded in the audit log), e.g. caseload, leave, a team move.' })
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class OpenAssessmentDto {
  @DateField('When the assessment started (default: today).', true)
  startDate?: string;
}

export class AuthoriseAssessmentDto {
  @ApiProperty({ enum: ASSESSMENT_OUTCOMES }) @IsIn(ASSESSMENT_OUTCOMES) outcome!: string;
  @ApiProperty({ enum: PRIMARY_NEEDS }) @IsIn(PRIMARY_NEEDS) primaryNeed!: string;
  @ApiProperty({
    type: [String],
    enum: CIN_FACTORS,
    description:
      'Factors identified at assessment (CIN census 2025-26 codes, e.g. 2B, 3A, 4B): at least one; 21 when none were identified.',
    minItems: 1,
    maxItems: 50,
  })
  @IsArray()
  @ArrayMinSize(1, { message: "factors needs at least one code (21: 'no factors identified')" })
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsIn(CIN_FACTORS, { each: true, message: 'factors must be CIN census factor codes (2025-26)' })
  factors!: string[];
  @DateField('The date the manager authorised it (default: today).', true)
  authorisedDate?: string;
}

export class AttendeeDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() organisationId!: string;
  @ApiProperty({ maxLength: 200 }) @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ maxLength: 100, description: 'e.g. social worker, detective sergeant, named nurse.' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  role!: string;
}

export class ConveneStrategyDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'Why significant harm is suspected (recorded in the audit).' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class HoldStrategyDto {
  @DateField('When it was held.') heldOn!: string;
  @ApiProperty({ type: [AttendeeDto], minItems: 3, maxItems: 30 })
  @IsArray()
  @ArrayMinSize(3)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => AttendeeDto)
  attendees!: AttendeeDto[];
  @ApiProperty({ enum: STRATEGY_OUTCOMES }) @IsIn(STRATEGY_OUTCOMES) outcome!: string;
}

export class S47OutcomeDto {
  @ApiProperty({ enum: S47_OUTCOMES }) @IsIn(S47_OUTCOMES) outcome!: string;
  @DateField('When the enquiry completed.') completedDate!: string;
}

export class ConferenceDto {
  @ApiProperty({ enum: ['INITIAL', 'REVIEW'] }) @IsIn(['INITIAL', 'REVIEW']) kind!: string;
  @DateField('When it was held.') heldOn!: string;
  @ApiProperty({ type: [AttendeeDto], minItems: 1, maxItems: 30 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => AttendeeDto)
  attendees!: AttendeeDto[];
  @ApiProperty({
    enum: [...ICPC_DECISIONS, ...REVIEW_DECISIONS],
    description: 'INITIAL: PLAN, CIN or NFA. REVIEW: CONTINUE or END (the plan).',
  })
  @IsIn([...ICPC_DECISIONS, ...REVIEW_DECISIONS])
  decision!: string;
  @ApiPropertyOptional({ enum: CP_CATEGORIES, description: 'The plan category (PLAN; or a new one at a review).' })
  @IsOptional()
  @IsIn(CP_CATEGORIES)
  category?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The lead social worker (PLAN).' })
  @IsOptional()
  @IsUUID()
  leadSocialWorkerId?: string;
  @ApiPropertyOptional({ maxLength: 2000, description: 'Required when held after the ICPC target.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  lateReason?: string;
  @ApiPropertyOptional({ maxLength: 500, description: 'Why the plan ends (END).' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  endReason?: string;
}

export class StartCinPlanDto {
  @DateField('When the plan started.') startDate!: string;
}

export class EndPlanDto {
  @DateField('When the plan ended.') endDate!: string;
  @ApiProperty({ maxLength: 500 }) @Transform(trim) @IsString() @Length(1, 500) reason!: string;
}

export class StartLookedAfterDto {
  @DateField('When the child became looked after.') startDate!: string;
}

export class EndLookedAfterDto {
  @DateField('When the child ceased to be looked after.') endDate!: string;
}

export class CloseCaseDto {
  @DateField('The closure date.') closureDate!: string;
  @ApiProperty({ enum: CLOSURE_REASONS }) @IsIn(CLOSURE_REASONS) reason!: string;
}

export class CensusQuery {
  @ApiProperty({
    description: 'The collection year: 2026 is 1 April 2025 to 31 March 2026.',
    minimum: 2000,
    maximum: 2100,
  })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

// ---------- responses ----------

export class AttendeeView {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiProperty({ maxLength: 100 }) role!: string;
}

export class AssessmentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['OPEN', 'AUTHORISED'] }) status!: string;
  @ApiProperty({ format: 'date' }) startDate!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ format: 'date', nullable: true, type: String }) authorisedDate!: string | null;
  @ApiProperty({ enum: ASSESSMENT_OUTCOMES, nullable: true, type: String }) outcome!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'string', maxLength: 3 }, maxItems: 40 }) factors!: string[];
  @ApiProperty() version!: number;
}

export class StrategyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['CONVENED', 'HELD'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ format: 'date', nullable: true, type: String }) heldOn!: string | null;
  @ApiProperty({ type: [AttendeeView], maxItems: 30 }) attendees!: AttendeeView[];
  @ApiProperty({ enum: STRATEGY_OUTCOMES, nullable: true, type: String }) outcome!: string | null;
  @ApiProperty() version!: number;
}

export class S47View {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) strategyDiscussionId!: string;
  @ApiProperty() joint!: boolean;
  @ApiProperty({ enum: ['OPEN', 'COMPLETED'] }) status!: string;
  @ApiProperty({ format: 'date' }) startDate!: string;
  @ApiProperty({ format: 'date', description: 'Strategy discussion date + 15 working days.' }) icpcTarget!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) completedDate!: string | null;
  @ApiProperty({ enum: S47_OUTCOMES, nullable: true, type: String }) outcome!: string | null;
  @ApiProperty() version!: number;
}

export class ConferenceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['INITIAL', 'REVIEW'] }) kind!: string;
  @ApiProperty({ format: 'date' }) heldOn!: string;
  @ApiProperty({ format: 'uuid' }) chairId!: string;
  @ApiProperty({ type: [AttendeeView], maxItems: 30 }) attendees!: AttendeeView[];
  @ApiProperty({ enum: [...ICPC_DECISIONS, ...REVIEW_DECISIONS] }) decision!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) planId!: string | null;
  @ApiProperty({ nullable: true, type: String, maxLength: 2000 }) lateReason!: string | null;
}

export class PlanView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['CP', 'CIN'] }) kind!: string;
  @ApiProperty({ enum: ['ACTIVE', 'ENDED'] }) status!: string;
  @ApiProperty({ format: 'date' }) startDate!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) endDate!: string | null;
  @ApiProperty({ enum: CP_CATEGORIES, nullable: true, type: String }) initialCategory!: string | null;
  @ApiProperty({ enum: CP_CATEGORIES, nullable: true, type: String }) latestCategory!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) leadSocialWorkerId!: string | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid', maxLength: 36 },
    maxItems: 30,
    description: 'Organisations of the core group.',
  })
  coreGroup!: string[];
  @ApiProperty({ format: 'date', nullable: true, type: String }) nextReviewDue!: string | null;
  @ApiProperty({ nullable: true, type: String, maxLength: 500 }) endReason!: string | null;
  @ApiProperty() version!: number;
}

export class LookedAfterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date' }) startDate!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) endDate!: string | null;
  @ApiProperty() version!: number;
}

export class CaseView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) referralId!: string | null;
  @ApiProperty({ format: 'date' }) referralDate!: string;
  @ApiProperty({ enum: REFERRAL_SOURCES }) referralSource!: string;
  @ApiProperty({ enum: PRIMARY_NEEDS, nullable: true, type: String }) primaryNeed!: string | null;
  @ApiProperty({ enum: ['OPEN', 'CLOSED'] }) status!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) closureDate!: string | null;
  @ApiProperty({ enum: CLOSURE_REASONS, nullable: true, type: String }) closureReason!: string | null;
  @ApiProperty({
    description: "The census's ReferralNFA: closed with nothing after the referral (no assessment, s47, plan).",
  })
  referralNfa!: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The allocated social worker.' })
  allocatedWorkerId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The team holding the case.' })
  teamId!: string | null;
  @ApiProperty({ description: 'Send it back in If-Match to close the case.' }) version!: number;
  @ApiProperty({ type: [AssessmentView], maxItems: 1000 }) assessments!: AssessmentView[];
  @ApiProperty({ type: [StrategyView], maxItems: 1000 }) strategyDiscussions!: StrategyView[];
  @ApiProperty({ type: [S47View], maxItems: 1000 }) s47Enquiries!: S47View[];
  @ApiProperty({ type: [ConferenceView], maxItems: 1000 }) conferences!: ConferenceView[];
  @ApiProperty({ type: [PlanView], maxItems: 1000 }) plans!: PlanView[];
  @ApiProperty({ type: [LookedAfterView], maxItems: 1000 }) lookedAfter!: LookedAfterView[];
}

export class AnnexAQuery {
  @ApiProperty({
    description:
      'The Annex A list: 1 contacts, 2 early help, 3 referrals, 4 assessments, 5 s47 and ICPCs, 6 children in need, 7 child protection.',
    enum: [1, 2, 3, 4, 5, 6, 7],
    type: 'integer',
    minimum: 1,
    maximum: 7,
  })
  @Type(() => Number)
  @IsInt()
  @IsIn([1, 2, 3, 4, 5, 6, 7])
  list!: 1 | 2 | 3 | 4 | 5 | 6 | 7;

  @DateField(
    'The day the lists are produced for (the inspection notice day); the six months before it. Default today.',
    true,
  )
  at?: string;
}

export class CaseListQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['mine', 'team', 'organisation'],
    default: 'mine',
    description: "Whose cases: allocated to me (default), held by my team, or the whole council's.",
  })
  @IsOptional()
  @IsIn(['mine', 'team', 'organisation'])
  scope?: 'mine' | 'team' | 'organisation';

  @ApiPropertyOptional({ format: 'uuid', description: "One worker's caseload (a team manager's view of it)." })
  @IsOptional()
  @IsUUID()
  workerId?: string;

  @ApiPropertyOptional({ enum: ['OPEN', 'CLOSED'], description: 'Default: open cases only.' })
  @IsOptional()
  @IsIn(['OPEN', 'CLOSED'])
  status?: 'OPEN' | 'CLOSED';

  @ApiPropertyOptional({ format: 'uuid', description: "One child's cases." })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'Only cases with (true) or without (false) an overdue step: assessment, strategy discussion, ICPC, review.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
}

export class CaseSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'date' }) referralDate!: string;
  @ApiProperty({ enum: REFERRAL_SOURCES }) referralSource!: string;
  @ApiProperty({ enum: PRIMARY_NEEDS, nullable: true, type: String }) primaryNeed!: string | null;
  @ApiProperty({ enum: ['OPEN', 'CLOSED'] }) status!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String }) closureDate!: string | null;
  @ApiProperty({ enum: CLOSURE_REASONS, nullable: true, type: String }) closureReason!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) allocatedWorkerId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) teamId!: string | null;
  @ApiProperty({ enum: ['CP', 'CIN'], nullable: true, type: String, description: 'The active plan, if any.' })
  activePlan!: 'CP' | 'CIN' | null;
  @ApiProperty({ format: 'date', nullable: true, type: String, description: 'The next review conference due.' })
  nextReviewDue!: string | null;
  @ApiProperty({ description: 'A step is overdue: assessment, strategy discussion, ICPC or review conference.' })
  overdue!: boolean;
  @ApiProperty() version!: number;
}

export class CasePage {
  @ApiPageData(CaseSummary) data!: CaseSummary[];
  @ApiNextCursor() nextCursor!: string | null;
}
