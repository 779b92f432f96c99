import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApiNextCursor, ApiPageData, IsTimestamp, PageQuery } from '@app/platform';
import { CONCERN_STATUSES, REFERRAL_STATUSES } from '@app/referrals';
import { REQUEST_STATUSES } from '@app/sharing';

export const INSPECTION_BOXES = ['received', 'sent'] as const;

/** Filters every inspection list shares: one organisation (received, sent or both), or the whole partnership. */
export class InspectionListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the work of this organisation (from the directory).' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({
    enum: INSPECTION_BOXES,
    description: 'With organisationId: its inbox (received) or what it sent; both when left out. Ignored for concerns.',
  })
  @IsOptional()
  @IsIn(INSPECTION_BOXES)
  box?: (typeof INSPECTION_BOXES)[number];
}

export class InspectionReferralQuery extends InspectionListQuery {
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsIn(REFERRAL_STATUSES)
  status?: string;
}

export class InspectionConcernQuery extends InspectionListQuery {
  @ApiPropertyOptional({ enum: CONCERN_STATUSES })
  @IsOptional()
  @IsIn(CONCERN_STATUSES)
  status?: string;
}

export class InspectionRequestQuery extends InspectionListQuery {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: string;
}

export class InspectedOrganisation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiProperty({ maxLength: 30 }) type!: string;
}

export class InspectedTeam {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
}

export class InspectedSubject {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100 }) givenName!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100 }) familyName!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date' }) dateOfBirth!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) approximateAge!: number | null;
}

const WITHHELD: ApiPropertyOptions = {
  type: [String],
  maxItems: 20,
  items: { type: 'string', maxLength: 40 },
  description:
    'Fields written by a police force, withheld (null): police intelligence is not in the classes inspection reads ' +
    '(the tipping-off rules, docs/policy.md).',
};

export class InspectionReferralDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: REFERRAL_STATUSES }) status!: string;
  @ApiProperty({ type: InspectedOrganisation }) from!: InspectedOrganisation;
  @ApiProperty({ type: InspectedOrganisation }) to!: InspectedOrganisation;
  @ApiProperty({ type: InspectedTeam }) toTeam!: InspectedTeam;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) childId!: string | null;
  @ApiProperty({ type: InspectedSubject }) subject!: InspectedSubject;
  @ApiProperty({ maxLength: 5 }) rag!: string;
  @ApiProperty() immediateDanger!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20000 }) reason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 }) declineReason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 30 }) outcome!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 }) outcomeReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) dueAt!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty(WITHHELD) withheld!: string[];
}

export class InspectionConcernDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CONCERN_STATUSES }) status!: string;
  @ApiProperty({ type: InspectedOrganisation }) organisation!: InspectedOrganisation;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) childId!: string | null;
  @ApiProperty({ type: InspectedSubject }) subject!: InspectedSubject;
  @ApiProperty({ maxLength: 30 }) category!: string;
  @ApiProperty() immediateDanger!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20000 }) whatWasSeen!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20000 }) childsWords!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 }) decisionReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty(WITHHELD) withheld!: string[];
}

export class InspectionRequestDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: REQUEST_STATUSES }) status!: string;
  @ApiProperty({ type: InspectedOrganisation }) from!: InspectedOrganisation;
  @ApiProperty({ type: InspectedOrganisation }) to!: InspectedOrganisation;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) childId!: string | null;
  @ApiProperty({ enum: ['urgent', 'standard'] }) urgency!: string;
  @ApiProperty({ type: [String], maxItems: 20, items: { type: 'string', maxLength: 40 } }) classesRequested!: string[];
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 }) purpose!: string | null;
  @ApiPropertyOptional({ type: [String], nullable: true, maxItems: 20, items: { type: 'string', maxLength: 40 } })
  classesDisclosed!: string[] | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 60 }) lawfulBasis!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 }) decisionReason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 }) justification!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty() answeredInTime!: boolean;
  @ApiProperty(WITHHELD) withheld!: string[];
}

export class InspectionReferralPage {
  @ApiPageData(InspectionReferralDto) data!: InspectionReferralDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class InspectionConcernPage {
  @ApiPageData(InspectionConcernDto) data!: InspectionConcernDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class InspectionRequestPage {
  @ApiPageData(InspectionRequestDto) data!: InspectionRequestDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

// ---------- responsibility over time (issue 16, item 2) ----------

export class ResponsibilityQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Whose was the work at this moment (default now): the clocks running then.',
  })
  @IsOptional()
  @IsTimestamp()
  at?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the work this team held.' })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the work this person held.' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only what was overdue at that moment.' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
}

export class ResponsibilityHistoryQuery {
  @ApiProperty({ format: 'date-time', description: 'From (inclusive).' })
  @IsTimestamp()
  from!: string;

  @ApiProperty({ format: 'date-time', description: 'To (exclusive); at most 366 days after from.' })
  @IsTimestamp()
  to!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The team's history." })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The person's history." })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class HeldBy {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 }) name!: string | null;
}

export class HeldEscalation {
  @ApiProperty({ minimum: 1, maximum: 2 }) level!: number;
  @ApiProperty({ format: 'date-time' }) raisedAt!: string;
  @ApiProperty({ type: [String], maxItems: 20, items: { type: 'string', maxLength: 40 }, description: 'Roles told.' })
  told!: string[];
}

/** The other side of a hand-over: the clock and who held it. */
export class HandOverSide {
  @ApiProperty({ format: 'uuid', description: 'The clock.' }) deadlineId!: string;
  @ApiProperty({ type: HeldBy }) organisation!: HeldBy;
  @ApiPropertyOptional({ type: HeldBy, nullable: true }) team!: HeldBy | null;
  @ApiPropertyOptional({ type: HeldBy, nullable: true }) responsible!: HeldBy | null;
}

export class HeldWorkDto {
  @ApiProperty({ format: 'uuid', description: 'The clock.' }) deadlineId!: string;
  @ApiProperty({ maxLength: 40 }) subjectType!: string;
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiProperty({ maxLength: 60 }) rule!: string;
  @ApiProperty({ type: HeldBy }) organisation!: HeldBy;
  @ApiPropertyOptional({ type: HeldBy, nullable: true }) team!: HeldBy | null;
  @ApiPropertyOptional({ type: HeldBy, nullable: true, description: 'The person it was, if one was named.' })
  responsible!: HeldBy | null;
  @ApiProperty({ format: 'date-time', description: 'Held from (the clock started).' }) heldFrom!: string;
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Held until (done, cancelled or handed over).',
  })
  heldUntil!: string | null;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ description: 'Overdue at the moment asked about.' }) overdueThen!: boolean;
  @ApiProperty({ type: [HeldEscalation], maxItems: 2, description: 'Escalations raised by the moment asked about.' })
  escalations!: HeldEscalation[];
  @ApiProperty({ enum: ['open', 'met', 'cancelled', 'handed_over'], description: 'What became of it (now).' })
  state!: string;
  @ApiPropertyOptional({
    type: HandOverSide,
    nullable: true,
    description: 'Who held the same clock before (it was handed over to this holder when heldFrom).',
  })
  handedOverFrom!: HandOverSide | null;
  @ApiPropertyOptional({
    type: HandOverSide,
    nullable: true,
    description: 'Who it was handed over to (when heldUntil), if it was.',
  })
  handedOverTo!: HandOverSide | null;
}

export class HeldWorkPage {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPageData(HeldWorkDto) data!: HeldWorkDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class ResponsibilityHistoryRow {
  @ApiProperty({ type: HeldBy }) organisation!: HeldBy;
  @ApiPropertyOptional({ type: HeldBy, nullable: true }) team!: HeldBy | null;
  @ApiPropertyOptional({ type: HeldBy, nullable: true }) responsible!: HeldBy | null;
  @ApiProperty({ maxLength: 60 }) rule!: string;
  @ApiProperty({ description: 'Clocks held at some time in the period.' }) held!: number;
  @ApiProperty({
    description:
      'Of those, went overdue in the period while this holder held them (one taken over already overdue is not).',
  })
  wentOverdue!: number;
  @ApiProperty() metInTime!: number;
  @ApiProperty() metLate!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty({ description: 'Handed over to another holder in the period (the same clock went on there).' })
  handedOver!: number;
  @ApiProperty({ description: 'Taken over from another holder in the period.' }) takenOver!: number;
  @ApiProperty({ description: 'Of those taken over, already overdue when taken over.' }) takenOverOverdue!: number;
  @ApiProperty({ description: 'Still running at the end of the period.' }) stillOpen!: number;
  @ApiProperty({ description: 'Escalated to level 1 in the period.' }) escalatedLevel1!: number;
  @ApiProperty({ description: 'Escalated to level 2 in the period.' }) escalatedLevel2!: number;
}

export class ResponsibilityHistoryDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: [ResponsibilityHistoryRow], maxItems: 100000 }) rows!: ResponsibilityHistoryRow[];
}
