import {
  Check,
  Column,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Child } from '@app/children';
import { Organisation } from '@app/identity';

/*
 * The police tables as entities, so test/migrations checks that the migrations build exactly
 * these. The service reads and writes them in SQL (the network is a recursive CTE); constraint
 * names are PostgreSQL's own, as the hand-written migration PoliceCse1795891000000 made them.
 * Indexes TypeORM cannot describe (INCLUDE columns, DESC, partial) are declared with
 * `synchronize: false`: named here, built by the migration, not compared.
 */

const org = (table: string, column = 'organisation_id') => ({
  name: column,
  foreignKeyConstraintName: `${table}_${column}_fkey`,
});
const inList = (column: string, values: readonly string[]) =>
  `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`;

/** A CSE risk screening of a child by a force (scored in code: cse-screening.scoring.ts). */
@Entity('cse_screening')
@Index('ix_cse_screening_child', { synchronize: false })
@Check('cse_screening_band_check', inList('band', ['not_at_risk', 'mild', 'moderate', 'significant']))
export class CseScreening {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'cse_screening_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('cse_screening'))
  organisation?: Organisation;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child)
  @JoinColumn(org('cse_screening', 'child_id'))
  child?: Child;

  @Column({ type: 'date' })
  screenedOn!: string;

  @Column({ type: 'text', array: true })
  vulnerabilities!: string[];

  @Column({ type: 'jsonb' })
  indicators!: unknown;

  @Column({ type: 'smallint' })
  score!: number;

  @Column({ type: 'varchar', length: 20 })
  band!: string;

  @Column({ type: 'date' })
  reviewDueOn!: string;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A child missing from home or care, found, and the return home interview. */
@Entity('missing_episode')
@Index('ix_missing_episode_child', { synchronize: false })
@Check('missing_episode_status_check', inList('status', ['MISSING', 'FOUND', 'INTERVIEWED', 'NO_INTERVIEW']))
@Check('missing_episode_risk_grading_check', inList('risk_grading', ['no_apparent_risk', 'low', 'medium', 'high']))
@Check('ck_missing_episode_no_interview_reason', `status <> 'NO_INTERVIEW' OR no_interview_reason IS NOT NULL`)
export class MissingEpisode {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'missing_episode_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('missing_episode'))
  organisation?: Organisation;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child)
  @JoinColumn(org('missing_episode', 'child_id'))
  child?: Child;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'varchar', length: 200 })
  reportedBy!: string;

  @Column({ type: 'timestamptz' })
  reportedAt!: Date;

  @Column({ type: 'varchar', length: 10 })
  riskGrading!: string;

  @Column({ type: 'timestamptz', nullable: true })
  foundAt!: Date | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  foundLocation!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  foundWith!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  interviewDueAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  interviewHeldAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  interviewer!: string | null;

  @Column({ type: 'boolean', nullable: true })
  interviewerIndependent!: boolean | null;

  @Column({ type: 'text', nullable: true })
  interviewOutcome!: string | null;

  @Column({ type: 'text', nullable: true })
  noInterviewReason!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A person of interest recorded by a force. */
@Entity('police_person')
@Index('ix_police_person_pnc', { synchronize: false })
@Index('ix_police_person_name', ['nameKey', 'dateOfBirth'])
@Index('ix_police_person_org', ['organisationId'])
export class PolicePerson {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_person_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_person'))
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 100 })
  givenName!: string;

  @Column({ type: 'varchar', length: 100 })
  familyName!: string;

  @Column({ type: 'varchar', length: 210 })
  nameKey!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  aliases!: string[];

  @Column({ type: 'date', nullable: true })
  dateOfBirth!: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  pncId!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A vehicle of interest: its registration mark normalised (upper case, no spaces). */
@Entity('police_vehicle')
@Unique('uq_police_vehicle_vrm', ['organisationId', 'vrm'])
@Index('ix_police_vehicle_vrm', ['vrm'])
export class PoliceVehicle {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_vehicle_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_vehicle'))
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 8 })
  vrm!: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  make!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  colour!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A location of interest: its postcode normalised, a hotspot or not. */
@Entity('police_location')
@Index('ix_police_location_key', ['addressKey'])
@Index('ix_police_location_org', ['organisationId'])
@Check('police_location_latitude_check', 'latitude BETWEEN -90 AND 90')
@Check('police_location_longitude_check', 'longitude BETWEEN -180 AND 180')
export class PoliceLocation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_location_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_location'))
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 300 })
  address!: string;

  @Column({ type: 'varchar', length: 8 })
  postcode!: string;

  @Column({ type: 'varchar', length: 320 })
  addressKey!: string;

  @Column({ type: 'numeric', precision: 8, scale: 6, nullable: true })
  latitude!: string | null;

  @Column({ type: 'numeric', precision: 9, scale: 6, nullable: true })
  longitude!: string | null;

  @Column({ type: 'boolean', default: false })
  hotspot!: boolean;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** One edge of the network: a child or person (a) linked to a person, vehicle or location (b). */
@Entity('police_link')
@Unique('uq_police_link', ['organisationId', 'aId', 'bId'])
@Index('ix_police_link_a', { synchronize: false })
@Index('ix_police_link_b', { synchronize: false })
@Index('ix_police_link_org_child', { synchronize: false })
@Check('ck_police_link_distinct', 'a_id <> b_id')
@Check('police_link_a_kind_check', inList('a_kind', ['child', 'person']))
@Check('police_link_b_kind_check', inList('b_kind', ['person', 'vehicle', 'location']))
@Check(
  'police_link_source_kind_check',
  inList('source_kind', ['concern', 'referral', 'intelligence', 'missing_episode', 'screening']),
)
@Check('police_link_confidence_check', inList('confidence', ['low', 'medium', 'high']))
export class PoliceLink {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_link_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_link'))
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 10 })
  aKind!: string;

  @Column({ type: 'uuid' })
  aId!: string;

  @Column({ type: 'varchar', length: 10 })
  bKind!: string;

  @Column({ type: 'uuid' })
  bId!: string;

  @Column({ type: 'varchar', length: 20 })
  sourceKind!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceRef!: string | null;

  @Column({ type: 'date' })
  linkedOn!: string;

  @Column({ type: 'varchar', length: 10 })
  confidence!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** Two forces' records of the same person, vehicle or location: a reference, nothing of either's content. */
@Entity('police_match')
@Unique('police_match_reference_key', ['reference'])
@Unique('uq_police_match_nodes', ['firstNodeId', 'secondNodeId'])
@Index('ix_police_match_first', ['firstOrganisationId'])
@Index('ix_police_match_second', ['secondOrganisationId'])
@Check('police_match_kind_check', inList('kind', ['person', 'vehicle', 'location']))
export class PoliceMatch {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_match_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  reference!: string;

  @Column({ type: 'varchar', length: 10 })
  kind!: string;

  @Column({ type: 'varchar', length: 20 })
  matchedOn!: string;

  @Column({ type: 'uuid' })
  firstNodeId!: string;

  @Column({ type: 'uuid' })
  firstOrganisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_match', 'first_organisation_id'))
  firstOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  secondNodeId!: string;

  @Column({ type: 'uuid' })
  secondOrganisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_match', 'second_organisation_id'))
  secondOrganisation?: Organisation;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A force's information request under a match reference, and the other force's decision. */
@Entity('police_match_request')
// One request waiting for a decision at a time; earlier ones stay (the history of the match).
@Index('uq_police_match_request_pending', { synchronize: false })
@Index('ix_police_match_request_match', { synchronize: false })
@Check('police_match_request_status_check', inList('status', ['REQUESTED', 'DISCLOSED', 'DECLINED']))
export class PoliceMatchRequest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_match_request_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  matchId!: string;

  @ManyToOne(() => PoliceMatch)
  @JoinColumn(org('police_match_request', 'match_id'))
  match?: PoliceMatch;

  @Column({ type: 'uuid' })
  fromOrganisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_match_request', 'from_organisation_id'))
  fromOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  toOrganisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_match_request', 'to_organisation_id'))
  toOrganisation?: Organisation;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: string;

  @Column({ type: 'text', nullable: true })
  decisionReason!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  lawfulBasis!: string | null;

  @Column({ type: 'uuid' })
  requestedBy!: string;

  @Column({ type: 'timestamptz' })
  requestedAt!: Date;

  /** The order requests were made in: the latest under a match is the one in force. */
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq!: string;

  @Column({ type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;
}

/** A force's node disclosed to another force until a time, unless revoked (read live: policeFields). */
@Entity('police_node_grant')
@Unique('uq_police_node_grant_request', ['matchRequestId'])
@Index('ix_police_node_grant_grantee', ['granteeOrganisationId'])
@Index('ix_police_node_grant_node', ['nodeId', 'granteeOrganisationId'])
@Index('ix_police_node_grant_ending', { synchronize: false })
@Check('ck_police_node_grant_until', 'until_at > granted_at')
@Check('ck_police_node_grant_revoked', '(revoked_at IS NULL) = (revoke_reason IS NULL)')
export class PoliceNodeGrant {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'police_node_grant_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  nodeId!: string;

  @Column({ type: 'uuid' })
  grantorOrganisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_node_grant', 'grantor_organisation_id'))
  grantorOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  granteeOrganisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn(org('police_node_grant', 'grantee_organisation_id'))
  granteeOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  matchRequestId!: string;

  @ManyToOne(() => PoliceMatchRequest)
  @JoinColumn(org('police_node_grant', 'match_request_id'))
  matchRequest?: PoliceMatchRequest;

  @Column({ type: 'timestamptz' })
  grantedAt!: Date;

  @Column({ type: 'timestamptz' })
  untilAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  revokeReason!: string | null;

  /** When both forces were warned that the disclosure ends soon (once per grant). */
  @Column({ type: 'timestamptz', nullable: true })
  endingAnnouncedAt!: Date | null;
}

/** A child abduction warning notice served on a person of interest for a child. */
@Entity('cawn')
@Index('ix_cawn_person', ['personId'])
@Index('ix_cawn_child', ['childId'])
@Check('ck_cawn_dates', 'expires_on > served_on')
@Check('ck_cawn_ended', '(ended_at IS NULL) = (end_reason IS NULL) AND (ended_at IS NULL) = (ended_on IS NULL)')
@Check('ck_cawn_ended_on', 'ended_on IS NULL OR (ended_on >= served_on AND ended_on <= expires_on)')
export class Cawn {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'cawn_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation)
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'cawn_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'uuid' })
  personId!: string;

  @ManyToOne(() => PolicePerson)
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'cawn_person_id_fkey' })
  person?: PolicePerson;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child)
  @JoinColumn({ name: 'child_id', foreignKeyConstraintName: 'cawn_child_id_fkey' })
  child?: Child;

  @Column({ type: 'date' })
  servedOn!: string;

  @Column({ type: 'date' })
  expiresOn!: string;

  @Column({ type: 'boolean' })
  childInCare!: boolean;

  /** The day the force ended the notice (withdrawn early, or let end once lapsed: its expiry day). */
  @Column({ type: 'date', nullable: true })
  endedOn!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  endedBy!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  endReason!: string | null;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A breach of a CAWN. */
@Entity('cawn_breach')
@Index('ix_cawn_breach_cawn', ['cawnId'])
export class CawnBreach {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'cawn_breach_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  cawnId!: string;

  @ManyToOne(() => Cawn)
  @JoinColumn({ name: 'cawn_id', foreignKeyConstraintName: 'cawn_breach_cawn_id_fkey' })
  cawn?: Cawn;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 2000 })
  detail!: string;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

export const POLICE_ENTITIES = [
  CseScreening,
  MissingEpisode,
  PolicePerson,
  PoliceVehicle,
  PoliceLocation,
  PoliceLink,
  PoliceMatch,
  PoliceMatchRequest,
  PoliceNodeGrant,
  Cawn,
  CawnBreach,
];
