import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
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
  ValidateNested,
} from 'class-validator';
import { LAWFUL_BASES } from '@app/access';
import { IsCalendarDate, IsTimestamp } from '@app/platform';
import {
  CSE_BANDS,
  CSE_INDICATOR_LEVELS,
  CSE_INDICATORS,
  CSE_VULNERABILITIES,
  type CseBand,
} from './cse-screening.scoring';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const RISK_GRADINGS = ['no_apparent_risk', 'low', 'medium', 'high'] as const;
export const EPISODE_STATUSES = ['MISSING', 'FOUND', 'INTERVIEWED', 'NO_INTERVIEW'] as const;
export const NODE_KINDS = ['child', 'person', 'vehicle', 'location'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export const LINK_SOURCES = ['concern', 'referral', 'intelligence', 'missing_episode', 'screening'] as const;
export const CONFIDENCES = ['low', 'medium', 'high'] as const;

// ---------- screening ----------

export class IndicatorDto {
  @ApiProperty({ enum: CSE_INDICATORS }) @IsIn(CSE_INDICATORS) indicator!: string;
  @ApiProperty({ enum: CSE_INDICATOR_LEVELS }) @IsIn(CSE_INDICATOR_LEVELS) level!: string;
  @ApiProperty({ format: 'date', description: 'When last present (the screening day: present now).' })
  @IsCalendarDate()
  lastPresent!: string;
}

export class CreateScreeningDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() childId!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() screenedOn!: string;
  @ApiProperty({ enum: CSE_VULNERABILITIES, isArray: true })
  @IsArray()
  @ArrayMaxSize(CSE_VULNERABILITIES.length)
  @IsIn(CSE_VULNERABILITIES, { each: true })
  vulnerabilities!: string[];
  @ApiProperty({ type: [IndicatorDto] })
  @IsArray()
  @ArrayMaxSize(CSE_INDICATORS.length)
  @ValidateNested({ each: true })
  @Type(() => IndicatorDto)
  indicators!: IndicatorDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) notes?: string;
}

export class ScoredIndicatorDto extends IndicatorDto {
  @ApiProperty({ enum: ['now_or_last_6_months', '6_to_12_months', 'older'] }) recency!: string;
  @ApiProperty() score!: number;
}

export class ScreeningDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ format: 'date' }) screenedOn!: string;
  @ApiProperty({ enum: CSE_VULNERABILITIES, isArray: true, maxItems: CSE_VULNERABILITIES.length })
  vulnerabilities!: string[];
  @ApiProperty({ type: [ScoredIndicatorDto], maxItems: CSE_INDICATORS.length }) indicators!: ScoredIndicatorDto[];
  @ApiProperty() score!: number;
  @ApiProperty({ enum: CSE_BANDS }) band!: CseBand;
  @ApiProperty({ format: 'date', description: 'The next screening is due by this day.' }) reviewDueOn!: string;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 4000 }) notes!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
}

export class ScreeningHistoryDto {
  @ApiProperty({ type: [ScreeningDto], description: 'Newest first.', maxItems: 1000 }) data!: ScreeningDto[];
}

// ---------- missing episodes ----------

export class ReportMissingDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() childId!: string;
  @ApiProperty({ description: 'Who reported the child missing (e.g. "carer, Fenwick Road").' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  reportedBy!: string;
  @ApiProperty({ format: 'date-time' }) @IsTimestamp() reportedAt!: string;
  @ApiProperty({ enum: RISK_GRADINGS }) @IsIn(RISK_GRADINGS) riskGrading!: string;
}

export class FoundDto {
  @ApiProperty({ format: 'date-time' }) @IsTimestamp() foundAt!: string;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 300) foundLocation!: string;
  @ApiPropertyOptional({ description: 'Who the child was with.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(300)
  foundWith?: string;
}

export class ReturnInterviewDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'When the interview was held (or give noInterviewReason).' })
  @IsOptional()
  @IsTimestamp()
  heldAt?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 200) interviewer?: string;
  @ApiPropertyOptional({ description: 'The interviewer is independent of the police and the carers (required).' })
  @IsOptional()
  @IsBoolean()
  independent?: boolean;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 4000) outcome?: string;
  @ApiPropertyOptional({ description: 'Why no interview is held (instead of holding one).' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  noInterviewReason?: string;
}

export class MissingEpisodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ enum: EPISODE_STATUSES }) status!: string;
  @ApiProperty({ maxLength: 200 }) reportedBy!: string;
  @ApiProperty({ format: 'date-time' }) reportedAt!: Date;
  @ApiProperty({ enum: RISK_GRADINGS }) riskGrading!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) foundAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 300 }) foundLocation!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 300 }) foundWith!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) interviewDueAt!: Date | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) interviewHeldAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 200 }) interviewer!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) interviewerIndependent!: boolean | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 4000 }) interviewOutcome!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 }) noInterviewReason!: string | null;
  @ApiProperty({ description: 'Whether the return interview is overdue now.' }) interviewOverdue!: boolean;
  @ApiProperty() version!: number;
}

// ---------- persons, vehicles, locations ----------

/**
 * A correction: only the fields sent change, and an explicit null clears an optional field (a
 * required one cannot be cleared: 400 naming it). The class says so in the contract (nullable).
 */
export type Correction<T, K extends keyof T> = Omit<T, K> & { [P in K]?: T[P] | null };

function clearable(dto: abstract new () => object, fields: Record<string, ApiPropertyOptions>): void {
  for (const [field, options] of Object.entries(fields))
    ApiPropertyOptional({ nullable: true, ...options } as ApiPropertyOptions)(dto.prototype, field);
}

export class CreatePersonDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) givenName!: string;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) familyName!: string;
  @ApiPropertyOptional({ type: [String], description: 'Other names used; a correction replaces them all.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  aliases?: string[];
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: string;
  @ApiPropertyOptional({ description: 'Police National Computer ID, YY/NNNNNNNL (checked).' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  pncId?: string;
}

export class PersonDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 100 }) givenName!: string;
  @ApiProperty({ maxLength: 100 }) familyName!: string;
  @ApiProperty({ type: [String], maxItems: 20, items: { type: 'string', maxLength: 100 } }) aliases!: string[];
  @ApiPropertyOptional({ format: 'date', nullable: true, type: String }) dateOfBirth!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 20 }) pncId!: string | null;
  @ApiProperty({ description: 'The version (also the ETag): send it in If-Match to correct the record.' })
  version!: number;
}

/** A correction of a person of interest: only the fields sent change, null clears (If-Match required). */
export class UpdatePersonDto extends PartialType(CreatePersonDto) {}
clearable(UpdatePersonDto, {
  aliases: { type: [String], description: 'Other names used; a correction replaces them all (null clears them).' },
  dateOfBirth: { type: String, format: 'date', description: 'null clears it.' },
  pncId: { type: String, description: 'Police National Computer ID, YY/NNNNNNNL (checked); null clears it.' },
});
export const PERSON_CLEARABLE = ['aliases', 'dateOfBirth', 'pncId'] as const;

export class CreateVehicleDto {
  @ApiProperty({ description: 'Registration mark; stored upper case without spaces.', example: 'AB12 CDE' })
  @IsString()
  @MaxLength(20)
  vrm!: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 60) make?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 40) colour?: string;
}

export class VehicleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 8 }) vrm!: string;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 60 }) make!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 40 }) colour!: string | null;
  @ApiProperty({ description: 'The version (also the ETag): send it in If-Match to correct the record.' })
  version!: number;
}

/** A correction of a vehicle of interest: only the fields sent change, null clears (If-Match required). */
export class UpdateVehicleDto extends PartialType(CreateVehicleDto) {}
clearable(UpdateVehicleDto, {
  make: { type: String, description: 'null clears it.' },
  colour: { type: String, description: 'null clears it.' },
});
export const VEHICLE_CLEARABLE = ['make', 'colour'] as const;

export class CreateLocationDto {
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 300) address!: string;
  @ApiProperty({ description: 'Stored upper case with one space before the inward code.' })
  @IsString()
  @MaxLength(12)
  postcode!: string;
  @ApiPropertyOptional({ minimum: -90, maximum: 90 }) @IsOptional() @IsNumber() @Min(-90) @Max(90) latitude?: number;
  @ApiPropertyOptional({ minimum: -180, maximum: 180 })
  @IsOptional()
  @IsNumber()
  @Min(-180)
  @Max(180)
  longitude?: number;
  @ApiPropertyOptional({ description: 'A known hotspot (false when a new location leaves it out).' })
  @IsOptional()
  @IsBoolean()
  hotspot?: boolean;
}

export class LocationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ maxLength: 300 }) address!: string;
  @ApiProperty({ maxLength: 8 }) postcode!: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) latitude!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) longitude!: number | null;
  @ApiProperty() hotspot!: boolean;
  @ApiProperty({ description: 'The version (also the ETag): send it in If-Match to correct the record.' })
  version!: number;
}

/** A correction of a location of interest: only the fields sent change, null clears (If-Match required). */
export class UpdateLocationDto extends PartialType(CreateLocationDto) {}
clearable(UpdateLocationDto, {
  latitude: { type: Number, description: 'null (with longitude null) clears the point.' },
  longitude: { type: Number, description: 'null (with latitude null) clears the point.' },
});
export const LOCATION_CLEARABLE = ['latitude', 'longitude'] as const;

export class NodeRefDto {
  @ApiProperty({ enum: NODE_KINDS }) @IsIn(NODE_KINDS) kind!: NodeKind;
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class CreateLinkDto {
  @ApiProperty({ type: NodeRefDto, description: 'A child or a person.' })
  @ValidateNested()
  @Type(() => NodeRefDto)
  from!: NodeRefDto;
  @ApiProperty({ type: NodeRefDto, description: 'A person, vehicle or location.' })
  @ValidateNested()
  @Type(() => NodeRefDto)
  to!: NodeRefDto;
  @ApiProperty({ enum: LINK_SOURCES }) @IsIn(LINK_SOURCES) sourceKind!: string;
  @ApiPropertyOptional({ description: 'Which concern, referral or intelligence entry.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  sourceRef?: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() linkedOn!: string;
  @ApiProperty({ enum: CONFIDENCES }) @IsIn(CONFIDENCES) confidence!: string;
}

export class LinkDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ type: NodeRefDto }) from!: NodeRefDto;
  @ApiProperty({ type: NodeRefDto }) to!: NodeRefDto;
  @ApiProperty({ enum: LINK_SOURCES }) sourceKind!: string;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 100 }) sourceRef!: string | null;
  @ApiProperty({ format: 'date' }) linkedOn!: string;
  @ApiProperty({ enum: CONFIDENCES }) confidence!: string;
}

// ---------- network and problem profiles ----------

export class NetworkQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() childId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() personId?: string;
  @ApiPropertyOptional({ description: 'A registration mark your force (or a disclosure) records.' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  vrm?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 3, default: 2 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3)
  depth?: number;
}

export class NetworkNodeDto {
  @ApiProperty({ enum: NODE_KINDS }) kind!: NodeKind;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Hops from the start.' }) depth!: number;
  @ApiProperty({
    description: "A name, registration mark or address; a child's name only if you may read it.",
    maxLength: 320,
  })
  label!: string;
  @ApiPropertyOptional({ description: 'A location marked as a hotspot.' }) hotspot?: boolean;
  @ApiPropertyOptional({ format: 'uuid', description: 'The force that recorded it (persons, vehicles, locations).' })
  organisationId?: string;
}

export class NetworkEdgeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) from!: string;
  @ApiProperty({ format: 'uuid' }) to!: string;
  @ApiProperty({ enum: LINK_SOURCES }) sourceKind!: string;
  @ApiProperty({ enum: CONFIDENCES }) confidence!: string;
  @ApiProperty({ format: 'date' }) linkedOn!: string;
}

export class NetworkDto {
  @ApiProperty({ type: [NetworkNodeDto], maxItems: 5000, description: 'Nearest first.' }) nodes!: NetworkNodeDto[];
  @ApiProperty({ type: [NetworkEdgeDto], maxItems: 100000 }) edges!: NetworkEdgeDto[];
  @ApiProperty({ description: 'More than 5000 nodes: the farthest were left out; narrow the depth.' })
  truncated!: boolean;
}

export class ProblemProfileQuery {
  @ApiPropertyOptional({ minimum: 2, maximum: 50, default: 3, description: 'At least this many children.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(50)
  minChildren?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 2,
    default: 1,
    description:
      '1: children linked to the node itself; 2: also children linked to a person, vehicle or location linked to it (e.g. the car of a man a child is linked to).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2)
  degree?: number;
}

export class ProblemProfileDto {
  @ApiProperty({ enum: ['person', 'vehicle', 'location'] }) kind!: string;
  @ApiProperty({ format: 'uuid' }) nodeId!: string;
  @ApiProperty({ maxLength: 320 }) label!: string;
  @ApiProperty({ description: 'Children within the degree asked.' }) childCount!: number;
  @ApiProperty({ description: 'Of those, children linked to the node itself.' }) directChildCount!: number;
  @ApiProperty({ type: [String], format: 'uuid', maxItems: 100000 }) childIds!: string[];
}

export class ProblemProfilesDto {
  @ApiProperty({ type: [ProblemProfileDto], description: 'Largest clusters first.', maxItems: 200 })
  data!: ProblemProfileDto[];
}

// ---------- cross-force matches ----------

export class MatchOrganisation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
}

export const MATCH_REQUEST_STATES = ['REQUESTED', 'DISCLOSED', 'DECLINED', 'REVOKED', 'EXPIRED'] as const;

export class MatchDto {
  @ApiProperty({ description: 'Quote it in an information request to the other force.', maxLength: 13 })
  reference!: string;
  @ApiProperty({ enum: ['person', 'vehicle', 'location'] }) kind!: string;
  @ApiProperty({
    description: 'What matched: vrm, pnc_id, name_and_dob or address.',
    enum: ['vrm', 'pnc_id', 'name_and_dob', 'address'],
  })
  matchedOn!: string;
  @ApiProperty({ format: 'uuid', description: "Your force's node." }) nodeId!: string;
  @ApiProperty({ type: MatchOrganisation, description: 'The other force (its name only).' })
  otherOrganisation!: MatchOrganisation;
  @ApiPropertyOptional({
    enum: MATCH_REQUEST_STATES,
    nullable: true,
    type: String,
    description: 'Your request to the other force: DISCLOSED while the disclosure lasts, then REVOKED or EXPIRED.',
  })
  yourRequest!: string | null;
  @ApiPropertyOptional({ enum: MATCH_REQUEST_STATES, nullable: true, type: String })
  theirRequest!: string | null;
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "Until when the other force's node is disclosed to yours.",
  })
  disclosedToYouUntil!: Date | null;
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "Until when your force's node is disclosed to the other.",
  })
  disclosedByYouUntil!: Date | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 2000,
    description: "Why your force asked (its latest request). A CSE supervisor's only: null for anyone else.",
  })
  yourRequestReason!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 2000,
    description:
      "Why the other force disclosed or declined your latest request. A CSE supervisor's only: null for anyone else.",
  })
  yourRequestDecisionReason!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 2000,
    description: "Why the other force asked yours (its latest request). A CSE supervisor's only: null for anyone else.",
  })
  theirRequestReason!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 2000,
    description:
      "Why your force disclosed or declined the other's latest request. A CSE supervisor's only: null for anyone else.",
  })
  theirRequestDecisionReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
}

export class MatchListDto {
  @ApiProperty({ type: [MatchDto], maxItems: 200 }) data!: MatchDto[];
}

export class MatchRequestDto {
  @ApiProperty({ description: 'The match reference both forces were given.', example: 'PM-0A1B2C3D4E' })
  @IsString()
  @Length(13, 13)
  @Matches(/^PM-[0-9A-F]{10}$/)
  matchReference!: string;
  @ApiProperty({
    description:
      "Why your force asks: recorded; both forces' CSE supervisors read it on the match (theirRequestReason).",
  })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class MatchDecisionDto {
  @ApiProperty({ description: 'The match reference both forces were given.', example: 'PM-0A1B2C3D4E' })
  @IsString()
  @Length(13, 13)
  @Matches(/^PM-[0-9A-F]{10}$/)
  matchReference!: string;
  @ApiProperty({ description: "Disclose your force's node to the requesting force, or decline." })
  @IsBoolean()
  disclose!: boolean;
  @ApiProperty({ description: "Why: recorded; both forces' CSE supervisors read it on the match." })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;
  @ApiPropertyOptional({ enum: LAWFUL_BASES, description: 'Required to disclose.' })
  @IsOptional()
  @IsIn(LAWFUL_BASES)
  lawfulBasis?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Until when the asking force may read the node (required to disclose; at most 366 days).',
  })
  @IsOptional()
  @IsTimestamp()
  until?: string;
}

export class RevokeDisclosureDto {
  @ApiProperty({ description: 'The match reference the disclosure was made under.', example: 'PM-0A1B2C3D4E' })
  @IsString()
  @Length(13, 13)
  @Matches(/^PM-[0-9A-F]{10}$/)
  matchReference!: string;
  @ApiProperty({ description: 'Why the disclosure ends now (recorded; the other force is told it ended).' })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

// ---------- CAWN ----------

export class CreateCawnDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() personId!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() childId!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() servedOn!: string;
  @ApiProperty({ format: 'date' }) @IsCalendarDate() expiresOn!: string;
  @ApiPropertyOptional({
    deprecated: true,
    description:
      "Ignored (kept so older clients' requests still validate): whether the child is in care is the council's looked-after status on the shared record. A child aged 16 or 17 must be looked after there; a notice runs at most to the day before the 16th birthday, or the 18th when looked after.",
  })
  @IsOptional()
  @IsBoolean()
  childInCare?: boolean;
}

export class BreachDto {
  @ApiProperty({ format: 'date-time' }) @IsTimestamp() occurredAt!: string;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 2000) detail!: string;
}

export class EndCawnDto {
  @ApiProperty({
    description:
      'Why the force ends the notice: withdrawn before its expiry, or (once lapsed) let end rather than served again.',
  })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export const CAWN_STATUSES = ['ACTIVE', 'LAPSED', 'ENDED'] as const;

export class CawnBreachDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: Date;
  @ApiProperty({ maxLength: 2000 }) detail!: string;
}

export class CawnDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ format: 'uuid' }) personId!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ format: 'date' }) servedOn!: string;
  @ApiProperty({ format: 'date' }) expiresOn!: string;
  @ApiProperty({ description: 'The child was looked after on the shared record when the notice was served.' })
  childInCare!: boolean;
  @ApiProperty({ description: 'The notice has expired (its expiry day is past): it no longer warns anyone.' })
  expired!: boolean;
  @ApiProperty({
    enum: CAWN_STATUSES,
    description:
      'ACTIVE: running; LAPSED: past its expiry day and not yet ended by the force (its supervisors were told); ENDED: ended by the force.',
  })
  status!: (typeof CAWN_STATUSES)[number];
  @ApiPropertyOptional({
    format: 'date',
    nullable: true,
    type: String,
    description:
      'The day the force ended it (today when withdrawn early; its expiry day when let end after it lapsed).',
  })
  endedOn!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 }) endReason!: string | null;
  @ApiProperty({ type: [CawnBreachDto], maxItems: 10000 }) breaches!: CawnBreachDto[];
}
