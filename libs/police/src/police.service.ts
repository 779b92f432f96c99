import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, can, type FieldSql, type Subject } from '@app/access';
import { Deadlines, Events, Notifier, requireScoped, SharedRecord, Timescales } from '@app/casework';
import { nameKeyOf, validateIdentifier } from '@app/children';
import {
  Clock,
  DomainError,
  endOfLondonDay,
  type FieldError,
  fromLondonWallClock,
  londonDateString,
  namedQuery,
  refuseClearing,
} from '@app/platform';
import { CSE_REVIEW_MONTHS, MISSING_PATTERN } from './police.clocks';
import {
  type CseIndicator,
  type CseIndicatorLevel,
  type CseVulnerability,
  monthsAfter,
  scoreScreening,
} from './cse-screening.scoring';
import { PoliceError } from './police.errors';
import type {
  BreachDto,
  CawnDto,
  CreateCawnDto,
  CreateLinkDto,
  CreateLocationDto,
  CreatePersonDto,
  CreateScreeningDto,
  CreateVehicleDto,
  Correction,
  EndCawnDto,
  FoundDto,
  LinkDto,
  LOCATION_CLEARABLE,
  LocationDto,
  MatchDecisionDto,
  MatchDto,
  MatchRequestDto,
  MissingEpisodeDto,
  NetworkDto,
  NetworkNodeDto,
  NetworkQuery,
  NodeKind,
  PERSON_CLEARABLE,
  PersonDto,
  ProblemProfileDto,
  ProblemProfileQuery,
  ReportMissingDto,
  ReturnInterviewDto,
  ScreeningDto,
  UpdateLocationDto,
  UpdatePersonDto,
  UpdateVehicleDto,
  VEHICLE_CLEARABLE,
  VehicleDto,
} from './police.dto';
import { NETWORK_EDGES_SQL, NETWORK_NODES_SQL, PROBLEM_PROFILES_DEGREE_SQL, PROBLEM_PROFILES_SQL } from './network.sql';
import { addressKey, isValidPostcode, isValidVrm, normalisePostcode, normaliseVrm } from './normalise';

type EpisodeStatus = 'MISSING' | 'FOUND' | 'INTERVIEWED' | 'NO_INTERVIEW';
/** The missing-episode state machine: a transition table, not scattered ifs. */
export const EPISODE_TRANSITIONS: Record<EpisodeStatus, readonly EpisodeStatus[]> = {
  MISSING: ['FOUND'],
  FOUND: ['INTERVIEWED', 'NO_INTERVIEW'],
  INTERVIEWED: [],
  NO_INTERVIEW: [],
};

/** Who in a force handles CSE work (notifications about patterns and matches). */
export const CSE_UNIT_ROLES = ['cse_officer', 'cse_supervisor'] as const;
const SUPERVISORS = ['cse_supervisor'] as const;

const NODE_TABLES = { person: 'police_person', vehicle: 'police_vehicle', location: 'police_location' } as const;
type PoiKind = keyof typeof NODE_TABLES;

const SCREENING_COLUMNS = `s.id, s.child_id AS "childId", s.organisation_id AS "organisationId",
  to_char(s.screened_on, 'YYYY-MM-DD') AS "screenedOn", s.vulnerabilities, s.indicators, s.score, s.band,
  to_char(s.review_due_on, 'YYYY-MM-DD') AS "reviewDueOn", s.notes, s.created_at AS "createdAt"`;
const EPISODE_COLUMNS = `e.id, e.child_id AS "childId", e.organisation_id AS "organisationId", e.status,
  e.reported_by AS "reportedBy", e.reported_at AS "reportedAt", e.risk_grading AS "riskGrading",
  e.found_at AS "foundAt", e.found_location AS "foundLocation", e.found_with AS "foundWith",
  e.interview_due_at AS "interviewDueAt", e.interview_held_at AS "interviewHeldAt", e.interviewer,
  e.interviewer_independent AS "interviewerIndependent", e.interview_outcome AS "interviewOutcome",
  e.no_interview_reason AS "noInterviewReason", e.version`;
const PERSON_COLUMNS = `n.id, n.organisation_id AS "organisationId", n.given_name AS "givenName",
  n.family_name AS "familyName", n.aliases, to_char(n.date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", n.pnc_id AS "pncId",
  n.version`;
const VEHICLE_COLUMNS = 'n.id, n.organisation_id AS "organisationId", n.vrm, n.make, n.colour, n.version';
const LOCATION_COLUMNS = `n.id, n.organisation_id AS "organisationId", n.address, n.postcode,
  n.latitude::float8 AS latitude, n.longitude::float8 AS longitude, n.hotspot, n.version`;
/** The columns a correction may set, by node kind, and the API field each is. */
const NODE_EDITABLE: Record<PoiKind, Record<string, string>> = {
  person: {
    given_name: 'givenName',
    family_name: 'familyName',
    aliases: 'aliases',
    date_of_birth: 'dateOfBirth',
    pnc_id: 'pncId',
  },
  vehicle: { vrm: 'vrm', make: 'make', colour: 'colour' },
  location: {
    address: 'address',
    postcode: 'postcode',
    latitude: 'latitude',
    longitude: 'longitude',
    hotspot: 'hotspot',
  },
};

type NodeMatch = { id: string; organisation_id: string; on: string };

const NODE_COLUMNS: Record<PoiKind, string> = {
  person: PERSON_COLUMNS,
  vehicle: VEHICLE_COLUMNS,
  location: LOCATION_COLUMNS,
};

/**
 * The police rows' condition fields as SQL: the recording force, and another force a node is
 * disclosed to now. A statement scoped on PoliceIntelligence passes `grantNow` (the clock's now).
 */
function policeFields(alias: string): (field: string) => FieldSql | undefined {
  return (field) => {
    if (field === 'organisationId') return { column: `${alias}.organisation_id` };
    if (field === 'granteeOrganisationIds') {
      return {
        custom: (op, param) => {
          if (op !== 'eq') throw new Error(`CASL to SQL: ${op} on granteeOrganisationIds`);
          // Live grants only, at read time: a revoked or ended disclosure opens nothing (:grantNow).
          return `EXISTS (SELECT 1 FROM police_node_grant g WHERE g.node_id = ${alias}.id AND g.grantee_organisation_id = :${param}
                            AND g.revoked_at IS NULL AND g.until_at > :grantNow)`;
        },
      };
    }
    return undefined;
  };
}

/**
 * A match as force :org sees it (at :now): the other force's name and the reference, its own
 * latest request and the other's (earlier ones stay as the history), a disclosure's state read
 * from its grant (REVOKED, EXPIRED), never anything of the other force's node. The reasons of
 * both requests and of their decisions to a supervisor (:supervisor: one who decides disclosures).
 */
const MATCH_STATE = (request: string, grant: string) =>
  `CASE WHEN ${request}.status = 'DISCLOSED' AND ${grant}.revoked_at IS NOT NULL THEN 'REVOKED'
        WHEN ${request}.status = 'DISCLOSED' AND ${grant}.until_at <= :now THEN 'EXPIRED'
        ELSE ${request}.status END`;
const MATCH_SELECT = `SELECT m.reference, m.kind, m.matched_on AS "matchedOn",
         CASE WHEN m.first_organisation_id = :org THEN m.first_node_id ELSE m.second_node_id END AS "nodeId",
         json_build_object('id', o.id, 'name', o.name) AS "otherOrganisation",
         ${MATCH_STATE('mine', 'gin')} AS "yourRequest", ${MATCH_STATE('theirs', 'gout')} AS "theirRequest",
         CASE WHEN gin.revoked_at IS NULL THEN gin.until_at END AS "disclosedToYouUntil",
         CASE WHEN gout.revoked_at IS NULL THEN gout.until_at END AS "disclosedByYouUntil",
         CASE WHEN CAST(:supervisor AS boolean) THEN mine.reason END AS "yourRequestReason",
         CASE WHEN CAST(:supervisor AS boolean) THEN mine.decision_reason END AS "yourRequestDecisionReason",
         CASE WHEN CAST(:supervisor AS boolean) THEN theirs.reason END AS "theirRequestReason",
         CASE WHEN CAST(:supervisor AS boolean) THEN theirs.decision_reason END AS "theirRequestDecisionReason",
         m.created_at AS "createdAt"
    FROM police_match m
    JOIN organisation o ON o.id = CASE WHEN m.first_organisation_id = :org THEN m.second_organisation_id ELSE m.first_organisation_id END
    LEFT JOIN LATERAL (SELECT r.id, r.status, r.reason, r.decision_reason FROM police_match_request r
                        WHERE r.match_id = m.id AND r.from_organisation_id = :org ORDER BY r.seq DESC LIMIT 1) mine ON true
    LEFT JOIN LATERAL (SELECT r.id, r.status, r.reason, r.decision_reason FROM police_match_request r
                        WHERE r.match_id = m.id AND r.to_organisation_id = :org ORDER BY r.seq DESC LIMIT 1) theirs ON true
    LEFT JOIN police_node_grant gin ON gin.match_request_id = mine.id
    LEFT JOIN police_node_grant gout ON gout.match_request_id = theirs.id`;

/**
 * JIT off for this transaction: a recursive CTE's row estimate is large (the planner cannot know
 * the depth stops it), so PostgreSQL would JIT-compile a statement that runs in milliseconds;
 * measured at 10k links: 1.4 s with JIT, under 0.1 s without (bench/network.ts).
 */
const noJit = (tx: EntityManager) => tx.query("SELECT set_config('jit', 'off', true)");

/** A disclosure to another force lasts at most this long (as every disclosure: docs/domain.md). */
export const MAX_DISCLOSURE_DAYS = 366;

/** At most this many nodes in one network answer (the nearest first); `truncated` says there were more. */
export const NETWORK_MAX_NODES = 5000;

/** The calendar day (YYYY-MM-DD) of an instant in Europe/London: the day a police officer would write. */
const day = (d: Date) => londonDateString(d);
/** The last moment of a day (YYYY-MM-DD) in Europe/London: a clock due "by" that day (GMT or BST). */
const endOfDay = (d: string) => {
  const [year, month, dayOfMonth] = d.split('-').map(Number) as [number, number, number];
  return endOfLondonDay(
    fromLondonWallClock({ year, month, day: dayOfMonth, hour: 12, minute: 0, second: 0, millisecond: 0 }),
  );
};

/**
 * The police CSE unit: screenings, missing episodes, the network of persons, vehicles and locations
 * of interest, cross-force matches and CAWNs. Everything here is police intelligence: read within
 * the recording force only (policy: PoliceIntelligence and friends), one transaction per use case
 * with its audit event, chronology entry and domain event.
 */
@Injectable()
export class PoliceService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  // ---------- CSE screening ----------

  async screen(ctx: AccessContext, dto: CreateScreeningDto): Promise<ScreeningDto> {
    const today = day(this.clock.now());
    const errors: FieldError[] = [];
    if (dto.screenedOn > today) errors.push({ field: 'screenedOn', message: 'screenedOn cannot be in the future' });
    dto.indicators.forEach((i, n) => {
      if (i.lastPresent > dto.screenedOn)
        errors.push({ field: `indicators[${n}].lastPresent`, message: 'lastPresent cannot be after screenedOn' });
    });
    const names = dto.indicators.map((i) => i.indicator);
    if (new Set(names).size !== names.length)
      errors.push({ field: 'indicators', message: 'each indicator at most once' });
    if (errors.length) throw DomainError.validation(errors);
    const scored = scoreScreening({
      screenedOn: dto.screenedOn,
      vulnerabilities: dto.vulnerabilities as CseVulnerability[],
      indicators: dto.indicators.map((i) => ({
        indicator: i.indicator as CseIndicator,
        level: i.level as CseIndicatorLevel,
        lastPresent: i.lastPresent,
      })),
    });
    return this.db.transaction(async (tx) => {
      await this.record.requireChild(tx, ctx, dto.childId, { working: true });
      const org = ctx.actor.organisationId;
      const reviewDueOn = monthsAfter(dto.screenedOn, CSE_REVIEW_MONTHS);
      // The force's screenings of the child on or before this one's day (their review clocks it meets),
      // and whether one is later (this one is then backdated: it opens no clock and meets none of theirs).
      const previous = await namedQuery<{ id: string; later: boolean }>(
        tx,
        `SELECT id, screened_on > :screenedOn::date AS later FROM cse_screening
          WHERE child_id = :child AND organisation_id = :org FOR UPDATE`,
        { child: dto.childId, org, screenedOn: dto.screenedOn },
      );
      const newest = !previous.some((p) => p.later);
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO cse_screening (organisation_id, child_id, screened_on, vulnerabilities, indicators, score, band,
                                    review_due_on, notes, created_by, created_at)
         VALUES (:org, :child, :screenedOn, :vulnerabilities, :indicators, :score, :band, :reviewDueOn, :notes, :by, :now)
         RETURNING id`,
        {
          org,
          child: dto.childId,
          screenedOn: dto.screenedOn,
          vulnerabilities: [...new Set(dto.vulnerabilities)],
          indicators: JSON.stringify(scored.indicators),
          score: scored.score,
          band: scored.band,
          reviewDueOn,
          notes: dto.notes ?? null,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      const id = row!.id;
      // One review clock per child and force, the newest screening's: a screening meets the clocks of
      // those on or before its day, and opens the next only if it is now the newest (a backdated one
      // would otherwise close a running clock as met and open one already overdue).
      for (const p of previous.filter((p) => !p.later))
        await this.deadlines.close(tx, { type: 'CseScreening', id: p.id }, 'met', 'cse.screening_review');
      if (newest)
        await this.deadlines.open(tx, {
          subject: { type: 'CseScreening', id },
          rule: 'cse.screening_review',
          dueAt: endOfDay(reviewDueOn),
          organisationId: org,
          teamId: await this.cseTeam(tx, org),
          childId: dto.childId,
        });
      await this.record.addEntry(tx, ctx, dto.childId, {
        category: 'cse_screening',
        summary: `CSE risk screening: ${scored.band.replace(/_/g, ' ')} (score ${scored.score}).`,
        sensitivity: 'police-intelligence',
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'police.cse_screened',
        { screeningId: id, childId: dto.childId, band: scored.band },
        { organisationId: org },
      );
      await this.record.recordStep(tx, ctx, 'police.screening.create', 'CseScreening', [id], dto.childId, {
        band: scored.band,
      });
      return this.screeningRow(tx, id);
    });
  }

  async screenings(ctx: AccessContext, childId: string): Promise<{ data: ScreeningDto[] }> {
    return this.db.transaction(async (tx) => {
      await this.record.requireChild(tx, ctx, childId);
      const scope = abilityToSql(ctx.ability, 'read', 'CseScreening', policeFields('s'), 'sc');
      const data = await namedQuery<ScreeningDto>(
        tx,
        `SELECT ${SCREENING_COLUMNS} FROM cse_screening s WHERE s.child_id = :child AND ${scope.sql}
          ORDER BY s.screened_on DESC, s.created_at DESC`,
        { ...scope.params, child: childId },
      );
      await this.record.recordList(
        tx,
        ctx,
        'police.screening.list',
        'CseScreening',
        data.map((s) => ({ id: s.id, childId })),
        { childId },
      );
      return { data };
    });
  }

  private async screeningRow(tx: EntityManager, id: string): Promise<ScreeningDto> {
    const rows = await namedQuery<ScreeningDto>(
      tx,
      `SELECT ${SCREENING_COLUMNS} FROM cse_screening s WHERE s.id = :id`,
      {
        id,
      },
    );
    return rows[0]!;
  }

  // ---------- missing episodes ----------

  async reportMissing(ctx: AccessContext, dto: ReportMissingDto): Promise<MissingEpisodeDto> {
    const reportedAt = new Date(dto.reportedAt);
    if (reportedAt > this.clock.now()) throw PoliceError.invalid('reportedAt', 'reportedAt cannot be in the future');
    return this.db.transaction(async (tx) => {
      await this.record.requireChild(tx, ctx, dto.childId, { working: true });
      const org = ctx.actor.organisationId;
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO missing_episode (organisation_id, child_id, status, reported_by, reported_at, risk_grading, created_by, created_at)
         VALUES (:org, :child, 'MISSING', :reportedBy, :reportedAt, :risk, :by, :now) RETURNING id`,
        {
          org,
          child: dto.childId,
          reportedBy: dto.reportedBy,
          reportedAt,
          risk: dto.riskGrading,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      const id = row!.id;
      await this.record.addEntry(tx, ctx, dto.childId, {
        category: 'missing_episode',
        summary: `Reported missing (risk ${dto.riskGrading.replace(/_/g, ' ')}).`,
        sensitivity: 'police-intelligence',
        shareable: true,
        multiAgency: true,
        occurredAt: reportedAt,
      });
      // A pattern: the third episode (or more) within 90 days goes to the force's CSE unit.
      const [{ n } = { n: 0 }] = await namedQuery<{ n: number }>(
        tx,
        `SELECT count(*)::int AS n FROM missing_episode
          WHERE child_id = :child AND organisation_id = :org
            AND reported_at > :since::timestamptz AND reported_at <= :until::timestamptz`,
        {
          child: dto.childId,
          org,
          since: new Date(reportedAt.getTime() - MISSING_PATTERN.days * 86_400_000),
          until: reportedAt,
        },
      );
      if (n >= MISSING_PATTERN.episodes) {
        await this.notifier.send(
          tx,
          { organisationId: org, teamId: await this.cseTeam(tx, org), roles: CSE_UNIT_ROLES },
          {
            kind: 'missing.pattern',
            subjectType: 'MissingEpisode',
            subjectId: id,
            message: `A child has been reported missing ${n} times in ${MISSING_PATTERN.days} days: review CSE risk.`,
          },
        );
      }
      await this.events.emit(
        tx,
        'police.missing_episode_changed',
        { episodeId: id, childId: dto.childId, status: 'MISSING' },
        { organisationId: org },
      );
      await this.record.recordStep(tx, ctx, 'police.missing.report', 'MissingEpisode', [id], dto.childId);
      return this.episodeRow(tx, id);
    });
  }

  async episode(ctx: AccessContext, id: string): Promise<MissingEpisodeDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadEpisode(tx, ctx, id, 'read');
      await this.record.recordStep(tx, ctx, 'police.missing.read', 'MissingEpisode', [id], row.childId);
      return row;
    });
  }

  async found(ctx: AccessContext, id: string, version: number, dto: FoundDto): Promise<MissingEpisodeDto> {
    const foundAt = new Date(dto.foundAt);
    if (foundAt > this.clock.now()) throw PoliceError.invalid('foundAt', 'foundAt cannot be in the future');
    return this.db.transaction(async (tx) => {
      const row = await this.loadEpisode(tx, ctx, id, 'update', true);
      this.checkVersion(row.version, version);
      this.checkMove(row.status as EpisodeStatus, 'FOUND');
      if (foundAt < new Date(row.reportedAt))
        throw PoliceError.invalid('foundAt', 'foundAt cannot be before the child was reported missing');
      const org = ctx.actor.organisationId;
      const dueAt = await this.timescales.due(tx, org, 'missing.return_interview', foundAt);
      await namedQuery(
        tx,
        `UPDATE missing_episode SET status = 'FOUND', found_at = :foundAt, found_location = :loc, found_with = :with,
                interview_due_at = :dueAt, version = version + 1 WHERE id = :id`,
        { id, foundAt, loc: dto.foundLocation, with: dto.foundWith ?? null, dueAt },
      );
      await this.deadlines.open(tx, {
        subject: { type: 'MissingEpisode', id },
        rule: 'missing.return_interview',
        dueAt,
        organisationId: org,
        teamId: await this.cseTeam(tx, org),
        childId: row.childId,
      });
      await this.record.addEntry(tx, ctx, row.childId, {
        category: 'missing_episode',
        summary: 'Found after a missing episode; a return home interview is due.',
        sensitivity: 'police-intelligence',
        shareable: true,
        multiAgency: true,
        occurredAt: foundAt,
      });
      await this.events.emit(
        tx,
        'police.missing_episode_changed',
        { episodeId: id, childId: row.childId, status: 'FOUND' },
        { organisationId: org },
      );
      await this.record.recordStep(tx, ctx, 'police.missing.found', 'MissingEpisode', [id], row.childId);
      return this.episodeRow(tx, id);
    });
  }

  async returnInterview(
    ctx: AccessContext,
    id: string,
    version: number,
    dto: ReturnInterviewDto,
  ): Promise<MissingEpisodeDto> {
    // null is "not given" (@IsOptional lets it through): neither closes the episode on its own.
    const held = dto.heldAt !== undefined && dto.heldAt !== null;
    const reasoned = dto.noInterviewReason !== undefined && dto.noInterviewReason !== null;
    const errors: FieldError[] = [];
    if (!held && !reasoned)
      errors.push({
        field: 'noInterviewReason',
        message: 'give noInterviewReason, or heldAt (with interviewer, independent, outcome)',
      });
    if (held && reasoned)
      errors.push({
        field: 'heldAt',
        message: 'give heldAt (with interviewer, independent, outcome) or noInterviewReason, not both',
      });
    if (held) {
      if (!dto.interviewer) errors.push({ field: 'interviewer', message: 'interviewer is required' });
      if (dto.independent !== true)
        errors.push({ field: 'independent', message: 'a return home interview is held by someone independent' });
      if (!dto.outcome) errors.push({ field: 'outcome', message: 'outcome is required' });
      if (new Date(dto.heldAt!) > this.clock.now())
        errors.push({ field: 'heldAt', message: 'heldAt cannot be in the future' });
    }
    if (errors.length) throw DomainError.validation(errors);
    const to: EpisodeStatus = held ? 'INTERVIEWED' : 'NO_INTERVIEW';
    return this.db.transaction(async (tx) => {
      const row = await this.loadEpisode(tx, ctx, id, 'update', true);
      this.checkVersion(row.version, version);
      this.checkMove(row.status as EpisodeStatus, to);
      if (held && new Date(dto.heldAt!) < new Date(row.foundAt!))
        throw PoliceError.invalid('heldAt', 'heldAt cannot be before the child was found');
      await namedQuery(
        tx,
        `UPDATE missing_episode SET status = :to, interview_held_at = :heldAt, interviewer = :interviewer,
                interviewer_independent = :independent, interview_outcome = :outcome, no_interview_reason = :reason,
                version = version + 1 WHERE id = :id`,
        {
          id,
          to,
          heldAt: held ? new Date(dto.heldAt!) : null,
          interviewer: dto.interviewer ?? null,
          independent: held ? true : null,
          outcome: dto.outcome ?? null,
          reason: dto.noInterviewReason ?? null,
        },
      );
      await this.deadlines.close(tx, { type: 'MissingEpisode', id }, 'met', 'missing.return_interview');
      await this.record.addEntry(tx, ctx, row.childId, {
        category: 'missing_episode',
        summary: held ? 'Return home interview held.' : 'No return home interview: reason recorded.',
        sensitivity: 'police-intelligence',
        shareable: true,
        multiAgency: true,
      });
      await this.events.emit(
        tx,
        'police.missing_episode_changed',
        { episodeId: id, childId: row.childId, status: to },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'police.missing.return_interview', 'MissingEpisode', [id], row.childId);
      return this.episodeRow(tx, id);
    });
  }

  private checkVersion(current: number, expected: number): void {
    if (current !== expected)
      throw DomainError.preconditionFailed(`The missing episode changed (version ${current}): read it again.`);
  }

  private checkMove(from: EpisodeStatus, to: EpisodeStatus): void {
    const allowed = EPISODE_TRANSITIONS[from];
    if (!allowed.includes(to)) throw PoliceError.illegalTransition(from, to, allowed);
  }

  private loadEpisode(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    action: 'read' | 'update',
    lock = false,
  ): Promise<MissingEpisodeDto> {
    return requireScoped<MissingEpisodeDto>(tx, ctx, {
      action,
      subject: 'MissingEpisode',
      fields: policeFields('e'),
      prefix: 'me',
      sql: (scope) =>
        `SELECT ${EPISODE_COLUMNS}, (e.status = 'FOUND' AND e.interview_due_at < :now) AS "interviewOverdue"
           FROM missing_episode e WHERE e.id = :id AND ${scope} ${lock ? 'FOR UPDATE' : ''}`,
      params: { id, now: this.clock.now() },
      notFound: PoliceError.episodeNotFound,
    });
  }

  private async episodeRow(tx: EntityManager, id: string): Promise<MissingEpisodeDto> {
    const rows = await namedQuery<MissingEpisodeDto>(
      tx,
      `SELECT ${EPISODE_COLUMNS}, (e.status = 'FOUND' AND e.interview_due_at < :now) AS "interviewOverdue"
         FROM missing_episode e WHERE e.id = :id`,
      { id, now: this.clock.now() },
    );
    return rows[0]!;
  }

  // ---------- persons, vehicles, locations ----------

  async createPerson(ctx: AccessContext, dto: CreatePersonDto): Promise<PersonDto> {
    let pncId: string | null = null;
    if (dto.pncId !== undefined) {
      const v = validateIdentifier('pnc_id', dto.pncId);
      if (!v.valid) throw PoliceError.invalid('pncId', v.reason);
      pncId = v.value;
    }
    if (dto.dateOfBirth !== undefined && dto.dateOfBirth > day(this.clock.now()))
      throw PoliceError.invalid('dateOfBirth', 'dateOfBirth cannot be in the future');
    return this.createNode(ctx, 'person', async (tx) => {
      const nameKey = nameKeyOf({ givenName: dto.givenName, familyName: dto.familyName });
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO police_person (organisation_id, given_name, family_name, name_key, aliases, date_of_birth, pnc_id, created_by, created_at)
         VALUES (:org, :given, :family, :nameKey, :aliases, :dob, :pnc, :by, :now) RETURNING id`,
        {
          org: ctx.actor.organisationId,
          given: dto.givenName,
          family: dto.familyName,
          nameKey,
          aliases: dto.aliases?.map((a) => a.trim()) ?? [],
          dob: dto.dateOfBirth ?? null,
          pnc: pncId,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      const id = row!.id;
      return { id, matches: await this.personMatches(tx, ctx.actor.organisationId, id) };
    });
  }

  async createVehicle(ctx: AccessContext, dto: CreateVehicleDto): Promise<VehicleDto> {
    const vrm = normaliseVrm(dto.vrm);
    if (!isValidVrm(vrm)) throw PoliceError.invalid('vrm', 'vrm is not a registration mark format known in the UK');
    return this.createNode(ctx, 'vehicle', async (tx) => {
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO police_vehicle (organisation_id, vrm, make, colour, created_by, created_at)
         VALUES (:org, :vrm, :make, :colour, :by, :now) ON CONFLICT (organisation_id, vrm) DO NOTHING RETURNING id`,
        {
          org: ctx.actor.organisationId,
          vrm,
          make: dto.make ?? null,
          colour: dto.colour ?? null,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      if (!row) throw PoliceError.duplicateVehicle();
      return { id: row.id, matches: await this.vehicleMatches(tx, ctx.actor.organisationId, row.id) };
    });
  }

  async createLocation(ctx: AccessContext, dto: CreateLocationDto): Promise<LocationDto> {
    const postcode = normalisePostcode(dto.postcode);
    if (!isValidPostcode(postcode)) throw PoliceError.invalid('postcode', 'postcode is not a UK postcode');
    // A point is both coordinates or neither; null is "not given" (@IsOptional lets it through).
    const given = (v: number | null | undefined) => v !== undefined && v !== null;
    if (given(dto.latitude) !== given(dto.longitude)) {
      const missing = given(dto.latitude) ? 'longitude' : 'latitude';
      throw PoliceError.invalid(missing, 'give both latitude and longitude, or neither');
    }
    const key = addressKey(dto.address, postcode);
    return this.createNode(ctx, 'location', async (tx) => {
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO police_location (organisation_id, address, postcode, address_key, latitude, longitude, hotspot, created_by, created_at)
         VALUES (:org, :address, :postcode, :key, :lat, :lng, :hotspot, :by, :now) RETURNING id`,
        {
          org: ctx.actor.organisationId,
          address: dto.address,
          postcode,
          key,
          lat: dto.latitude ?? null,
          lng: dto.longitude ?? null,
          hotspot: dto.hotspot ?? false,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      return { id: row!.id, matches: await this.locationMatches(tx, ctx.actor.organisationId, row!.id) };
    });
  }

  // The same node recorded by another force (the duty to collaborate), read off the node's stored values.

  /** The same person elsewhere: by PNC id, or by name and date of birth. */
  private personMatches(tx: EntityManager, org: string, id: string): Promise<NodeMatch[]> {
    return namedQuery<NodeMatch>(
      tx,
      `SELECT o.id, o.organisation_id, 'pnc_id' AS on FROM police_person me
         JOIN police_person o ON o.pnc_id = me.pnc_id AND o.organisation_id <> :org
        WHERE me.id = :id
       UNION
       SELECT o.id, o.organisation_id, 'name_and_dob' FROM police_person me
         JOIN police_person o ON o.name_key = me.name_key AND o.date_of_birth = me.date_of_birth AND o.organisation_id <> :org
        WHERE me.id = :id AND (o.pnc_id IS NULL OR me.pnc_id IS NULL OR o.pnc_id <> me.pnc_id)`,
      { id, org },
    );
  }

  private vehicleMatches(tx: EntityManager, org: string, id: string): Promise<NodeMatch[]> {
    return namedQuery<NodeMatch>(
      tx,
      `SELECT o.id, o.organisation_id, 'vrm' AS on FROM police_vehicle me
         JOIN police_vehicle o ON o.vrm = me.vrm AND o.organisation_id <> :org WHERE me.id = :id`,
      { id, org },
    );
  }

  private locationMatches(tx: EntityManager, org: string, id: string): Promise<NodeMatch[]> {
    return namedQuery<NodeMatch>(
      tx,
      `SELECT o.id, o.organisation_id, 'address' AS on FROM police_location me
         JOIN police_location o ON o.address_key = me.address_key AND o.organisation_id <> :org WHERE me.id = :id`,
      { id, org },
    );
  }

  private matchesOf(tx: EntityManager, kind: PoiKind, org: string, id: string): Promise<NodeMatch[]> {
    if (kind === 'person') return this.personMatches(tx, org, id);
    if (kind === 'vehicle') return this.vehicleMatches(tx, org, id);
    return this.locationMatches(tx, org, id);
  }

  // ---------- corrections (If-Match) ----------

  async updatePerson(
    ctx: AccessContext,
    id: string,
    version: number,
    dto: Correction<UpdatePersonDto, (typeof PERSON_CLEARABLE)[number]>,
  ): Promise<PersonDto> {
    refuseClearing(dto, ['givenName', 'familyName']);
    const set: Record<string, unknown> = {};
    if (dto.pncId === null) set.pnc_id = null;
    else if (dto.pncId !== undefined) {
      const v = validateIdentifier('pnc_id', dto.pncId);
      if (!v.valid) throw PoliceError.invalid('pncId', v.reason);
      set.pnc_id = v.value;
    }
    if (dto.dateOfBirth === null) set.date_of_birth = null;
    else if (dto.dateOfBirth !== undefined) {
      if (dto.dateOfBirth > day(this.clock.now()))
        throw PoliceError.invalid('dateOfBirth', 'dateOfBirth cannot be in the future');
      set.date_of_birth = dto.dateOfBirth;
    }
    if (dto.givenName !== undefined) set.given_name = dto.givenName;
    if (dto.familyName !== undefined) set.family_name = dto.familyName;
    if (dto.aliases !== undefined) set.aliases = (dto.aliases ?? []).map((a) => a.trim());
    return this.editNode(ctx, 'person', id, version, set, (row) => {
      if (dto.givenName === undefined && dto.familyName === undefined) return;
      set.name_key = nameKeyOf({
        givenName: dto.givenName ?? row.givenName,
        familyName: dto.familyName ?? row.familyName,
      });
    });
  }

  async updateVehicle(
    ctx: AccessContext,
    id: string,
    version: number,
    dto: Correction<UpdateVehicleDto, (typeof VEHICLE_CLEARABLE)[number]>,
  ): Promise<VehicleDto> {
    refuseClearing(dto, ['vrm']);
    const set: Record<string, unknown> = {};
    if (dto.vrm !== undefined) {
      const vrm = normaliseVrm(dto.vrm);
      if (!isValidVrm(vrm)) throw PoliceError.invalid('vrm', 'vrm is not a registration mark format known in the UK');
      set.vrm = vrm;
    }
    if (dto.make !== undefined) set.make = dto.make;
    if (dto.colour !== undefined) set.colour = dto.colour;
    return this.editNode(ctx, 'vehicle', id, version, set);
  }

  async updateLocation(
    ctx: AccessContext,
    id: string,
    version: number,
    dto: Correction<UpdateLocationDto, (typeof LOCATION_CLEARABLE)[number]>,
  ): Promise<LocationDto> {
    refuseClearing(dto, ['address', 'postcode', 'hotspot']);
    const set: Record<string, unknown> = {};
    let postcode: string | undefined;
    if (dto.postcode !== undefined) {
      postcode = normalisePostcode(dto.postcode);
      if (!isValidPostcode(postcode)) throw PoliceError.invalid('postcode', 'postcode is not a UK postcode');
      set.postcode = postcode;
    }
    // The point is both coordinates or neither: set both, or clear both (null).
    if (dto.latitude !== undefined || dto.longitude !== undefined) {
      if (
        dto.latitude === undefined ||
        dto.longitude === undefined ||
        (dto.latitude === null) !== (dto.longitude === null)
      )
        throw PoliceError.invalid('latitude', 'give both latitude and longitude, or clear both (null)');
      set.latitude = dto.latitude;
      set.longitude = dto.longitude;
    }
    if (dto.address !== undefined) set.address = dto.address;
    if (dto.hotspot !== undefined) set.hotspot = dto.hotspot;
    return this.editNode(ctx, 'location', id, version, set, (row) => {
      if (dto.address === undefined && postcode === undefined) return;
      set.address_key = addressKey(dto.address ?? row.address, postcode ?? row.postcode);
    });
  }

  /**
   * Corrects a node of the actor's own force (never a disclosed one: 404 as for an unknown one)
   * under If-Match, audits which fields changed (not their values), and runs the cross-force match
   * again on the new values: a new match tells both forces, as on creation.
   */
  private async editNode<T>(
    ctx: AccessContext,
    kind: PoiKind,
    id: string,
    version: number,
    set: Record<string, unknown>,
    derive?: (row: PersonDto & VehicleDto & LocationDto) => void,
  ): Promise<T> {
    const fields = Object.keys(set);
    if (fields.length === 0)
      throw PoliceError.invalid(
        Object.keys(NODE_EDITABLE[kind])[0]!,
        `give at least one of ${Object.keys(NODE_EDITABLE[kind]).join(', ')}`,
      );
    return this.db.transaction(async (tx) => {
      await this.lockMatching(tx, kind);
      const row = await this.requireNode(tx, ctx, kind, id, true);
      if (row.version !== version)
        throw DomainError.preconditionFailed(`The ${kind} changed (version ${row.version}): read it again.`);
      derive?.(row);
      const org = ctx.actor.organisationId;
      if (kind === 'vehicle' && set.vrm !== undefined) {
        const taken = await namedQuery(
          tx,
          'SELECT 1 FROM police_vehicle WHERE organisation_id = :org AND vrm = :vrm AND id <> :id',
          { org, vrm: set.vrm, id },
        );
        if (taken.length) throw PoliceError.duplicateVehicle();
      }
      const columns = Object.keys(set);
      await namedQuery(
        tx,
        `UPDATE ${NODE_TABLES[kind]} SET ${columns.map((c) => `${c} = :v_${c}`).join(', ')}, version = version + 1
          WHERE id = :id`,
        { id, ...Object.fromEntries(columns.map((c) => [`v_${c}`, set[c]])) },
      );
      const matches = await this.matchesOf(tx, kind, org, id);
      for (const m of matches) await this.recordMatch(tx, kind, m.on, { id, org }, m);
      await this.record.recordStep(tx, ctx, `police.${kind}.update`, 'PoliceIntelligence', [id], null, {
        fields: fields.map((c) => NODE_EDITABLE[kind][c] ?? c),
        matches: matches.length,
      });
      return (await this.nodeRow(tx, kind, id)) as T;
    });
  }

  /**
   * Records a node, then the duty to collaborate across forces: each match with another force's
   * node is recorded once with a reference, and both forces are told that it exists (the other's
   * name and the reference), never what the other holds.
   */
  private async createNode<T>(
    ctx: AccessContext,
    kind: PoiKind,
    insert: (tx: EntityManager) => Promise<{ id: string; matches: NodeMatch[] }>,
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      await this.lockMatching(tx, kind);
      const { id, matches } = await insert(tx);
      for (const m of matches) await this.recordMatch(tx, kind, m.on, { id, org: ctx.actor.organisationId }, m);
      await this.record.recordStep(tx, ctx, `police.${kind}.create`, 'PoliceIntelligence', [id], null, {
        matches: matches.length,
      });
      return (await this.nodeRow(tx, kind, id)) as T;
    });
  }

  /**
   * Nodes of a kind are recorded or corrected one at a time (until the transaction ends), so two
   * forces recording the same car, person or address at the same moment still find each other: the
   * second's match query starts after the first committed. Recording a node is an officer's step,
   * not a hot path; the lock is held for one short transaction.
   */
  private async lockMatching(tx: EntityManager, kind: PoiKind): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`police.match:${kind}`]);
  }

  private async recordMatch(
    tx: EntityManager,
    kind: PoiKind,
    on: string,
    mine: { id: string; org: string },
    theirs: { id: string; organisation_id: string },
  ): Promise<void> {
    const reference = `PM-${randomBytes(5).toString('hex').toUpperCase()}`;
    const [first, second] = [mine, { id: theirs.id, org: theirs.organisation_id }].sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    const [row] = await namedQuery<{ reference: string }>(
      tx,
      `INSERT INTO police_match (reference, kind, matched_on, first_node_id, first_organisation_id, second_node_id,
                                 second_organisation_id, created_at)
       VALUES (:reference, :kind, :on, :a, :aOrg, :b, :bOrg, :now)
       ON CONFLICT (first_node_id, second_node_id) DO NOTHING RETURNING reference`,
      { reference, kind, on, a: first!.id, aOrg: first!.org, b: second!.id, bOrg: second!.org, now: this.clock.now() },
    );
    if (!row) return;
    const names = await namedQuery<{ id: string; name: string }>(
      tx,
      'SELECT id, name FROM organisation WHERE id = ANY(:ids)',
      { ids: [mine.org, theirs.organisation_id] },
    );
    const nameOf = (id: string) => names.find((n) => n.id === id)?.name ?? 'another force';
    for (const [me, other, node] of [
      [mine.org, theirs.organisation_id, mine.id],
      [theirs.organisation_id, mine.org, theirs.id],
    ] as const) {
      await this.notifier.send(
        tx,
        { organisationId: me, teamId: await this.cseTeam(tx, me), roles: CSE_UNIT_ROLES },
        {
          kind: 'police.match',
          subjectType: 'PoliceMatch',
          subjectId: node,
          message: `A ${kind} your force recorded matches one recorded by ${nameOf(other)}: match reference ${reference}.`,
        },
      );
      await this.events.emit(
        tx,
        'police.match_found',
        { matchReference: reference, kind, nodeId: node, otherOrganisation: { id: other, name: nameOf(other) } },
        { organisationId: me },
      );
    }
  }

  async node(ctx: AccessContext, kind: PoiKind, id: string): Promise<PersonDto | VehicleDto | LocationDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.requireNode(tx, ctx, kind, id);
      await this.record.recordStep(tx, ctx, `police.${kind}.read`, 'PoliceIntelligence', [id], null);
      return row;
    });
  }

  /**
   * A person, vehicle or location the actor may see (own force, or disclosed to it now), else 404;
   * with `edit`, one the actor may correct (its own force's only, never a disclosed one), locked.
   */
  private requireNode(
    tx: EntityManager,
    ctx: AccessContext,
    kind: PoiKind,
    id: string,
    edit = false,
  ): Promise<PersonDto & VehicleDto & LocationDto> {
    const notFound = {
      person: PoliceError.personNotFound,
      vehicle: PoliceError.vehicleNotFound,
      location: PoliceError.locationNotFound,
    }[kind];
    return requireScoped(tx, ctx, {
      action: edit ? 'update' : 'read',
      subject: edit ? 'PoliceNode' : 'PoliceIntelligence',
      fields: policeFields('n'),
      prefix: 'pn',
      sql: (scope) =>
        `SELECT ${NODE_COLUMNS[kind]} FROM ${NODE_TABLES[kind]} n WHERE n.id = :id AND ${scope}${edit ? ' FOR UPDATE' : ''}`,
      params: { id, grantNow: this.clock.now() },
      notFound,
    });
  }

  private async nodeRow(tx: EntityManager, kind: PoiKind, id: string): Promise<unknown> {
    const rows = await namedQuery(tx, `SELECT ${NODE_COLUMNS[kind]} FROM ${NODE_TABLES[kind]} n WHERE n.id = :id`, {
      id,
    });
    return rows[0];
  }

  // ---------- links ----------

  async link(ctx: AccessContext, dto: CreateLinkDto): Promise<LinkDto> {
    if (dto.from.kind !== 'child' && dto.from.kind !== 'person')
      throw PoliceError.invalid('from.kind', 'a link starts at a child or a person');
    if (dto.to.kind === 'child') throw PoliceError.invalid('to.kind', 'a link ends at a person, vehicle or location');
    if (dto.from.id === dto.to.id) throw PoliceError.invalid('to.id', 'a node is not linked to itself');
    if (dto.linkedOn > day(this.clock.now())) throw PoliceError.invalid('linkedOn', 'linkedOn cannot be in the future');
    return this.db.transaction(async (tx) => {
      const childId = dto.from.kind === 'child' ? dto.from.id : null;
      if (childId) await this.record.requireChild(tx, ctx, childId, { working: true });
      else await this.requireNode(tx, ctx, 'person', dto.from.id);
      await this.requireNode(tx, ctx, dto.to.kind as PoiKind, dto.to.id);
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO police_link (organisation_id, a_kind, a_id, b_kind, b_id, source_kind, source_ref, linked_on, confidence,
                                  created_by, created_at)
         VALUES (:org, :aKind, :a, :bKind, :b, :source, :ref, :on, :confidence, :by, :now)
         ON CONFLICT (organisation_id, a_id, b_id) DO NOTHING RETURNING id`,
        {
          org: ctx.actor.organisationId,
          aKind: dto.from.kind,
          a: dto.from.id,
          bKind: dto.to.kind,
          b: dto.to.id,
          source: dto.sourceKind,
          ref: dto.sourceRef ?? null,
          on: dto.linkedOn,
          confidence: dto.confidence,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      if (!row) throw PoliceError.alreadyLinked();
      if (childId) {
        await this.record.addEntry(tx, ctx, childId, {
          category: 'police_intelligence',
          summary: `Linked to a ${dto.to.kind} of interest (${dto.confidence} confidence).`,
          sensitivity: 'police-intelligence',
          shareable: false,
          multiAgency: false,
        });
      }
      await this.record.recordStep(tx, ctx, 'police.link.create', 'PoliceIntelligence', [row.id, dto.to.id], childId);
      return {
        id: row.id,
        organisationId: ctx.actor.organisationId,
        from: dto.from,
        to: dto.to,
        sourceKind: dto.sourceKind,
        sourceRef: dto.sourceRef ?? null,
        linkedOn: dto.linkedOn,
        confidence: dto.confidence,
      };
    });
  }

  // ---------- the network ----------

  /**
   * The network within `depth` hops of one node, walked in SQL (a recursive CTE over the two
   * indexes of police_link) along the links the actor's force recorded: another force's nodes
   * appear only once disclosed to it (and linked by this force).
   */
  async network(ctx: AccessContext, q: NetworkQuery): Promise<NetworkDto> {
    const starts = (['childId', 'personId', 'vrm', 'locationId'] as const).filter((k) => q[k] !== undefined);
    if (starts.length !== 1)
      throw PoliceError.invalid(starts[1] ?? 'childId', 'give exactly one of childId, personId, vrm, locationId');
    const depth = q.depth ?? 2;
    let vrm: string | null = null;
    if (q.vrm !== undefined) {
      vrm = normaliseVrm(q.vrm);
      if (!isValidVrm(vrm)) throw PoliceError.invalid('vrm', 'vrm is not a registration mark format known in the UK');
    }
    return this.db.transaction(async (tx) => {
      let start: { id: string; kind: NodeKind };
      if (q.childId) {
        await this.record.requireChild(tx, ctx, q.childId);
        start = { id: q.childId, kind: 'child' };
      } else if (q.personId) {
        start = { id: (await this.requireNode(tx, ctx, 'person', q.personId)).id, kind: 'person' };
      } else if (q.locationId) {
        start = { id: (await this.requireNode(tx, ctx, 'location', q.locationId)).id, kind: 'location' };
      } else {
        const scope = abilityToSql(ctx.ability, 'read', 'PoliceIntelligence', policeFields('n'), 'pv');
        const rows = await namedQuery<{ id: string }>(
          tx,
          `SELECT n.id FROM police_vehicle n WHERE n.vrm = :vrm AND ${scope.sql}
            ORDER BY (n.organisation_id = :org) DESC LIMIT 1`,
          { ...scope.params, vrm, org: ctx.actor.organisationId, grantNow: this.clock.now() },
        );
        if (!rows[0]) throw PoliceError.vehicleNotFound();
        start = { id: rows[0].id, kind: 'vehicle' };
      }
      await noJit(tx);
      const result = await this.walk(tx, ctx, start, depth);
      await this.record.recordList(
        tx,
        ctx,
        'police.network.read',
        'PoliceIntelligence',
        result.nodes.map((n) => ({ id: n.id, childId: n.kind === 'child' ? n.id : null })),
        { depth },
      );
      return result;
    });
  }

  private async walk(
    tx: EntityManager,
    ctx: AccessContext,
    start: { id: string; kind: NodeKind },
    depth: number,
  ): Promise<NetworkDto> {
    const params = {
      start: start.id,
      startKind: start.kind,
      org: ctx.actor.organisationId,
      user: ctx.actor.id,
      now: this.clock.now(),
      depth,
    };
    const nodes = await namedQuery<NetworkNodeDto & { hotspot: boolean | null; organisationId: string | null }>(
      tx,
      NETWORK_NODES_SQL,
      { ...params, cap: NETWORK_MAX_NODES + 1 },
    );
    const truncated = nodes.length > NETWORK_MAX_NODES;
    if (truncated) nodes.length = NETWORK_MAX_NODES;
    const ids = nodes.map((n) => n.id);
    const edges = await namedQuery<NetworkDto['edges'][number]>(tx, NETWORK_EDGES_SQL, {
      org: ctx.actor.organisationId,
      ids,
    });
    return {
      nodes: nodes.map((n) => {
        const out: NetworkNodeDto = { kind: n.kind, id: n.id, depth: n.depth, label: n.label };
        if (n.kind === 'location') out.hotspot = n.hotspot ?? false;
        if (n.organisationId) out.organisationId = n.organisationId;
        return out;
      }),
      edges,
      truncated,
    };
  }

  /** Clusters: persons, vehicles and locations the force links to at least K children. */
  async problemProfiles(ctx: AccessContext, q: ProblemProfileQuery): Promise<{ data: ProblemProfileDto[] }> {
    return this.db.transaction(async (tx) => {
      await noJit(tx);
      const degree = q.degree ?? 1;
      const data = await namedQuery<ProblemProfileDto>(
        tx,
        degree === 1 ? PROBLEM_PROFILES_SQL : PROBLEM_PROFILES_DEGREE_SQL,
        {
          org: ctx.actor.organisationId,
          k: q.minChildren ?? 3,
          limit: q.limit ?? 50,
          now: this.clock.now(),
          ...(degree === 1 ? {} : { degree }),
        },
      );
      await this.record.recordList(
        tx,
        ctx,
        'police.problem_profiles.read',
        'PoliceIntelligence',
        data.flatMap((p) => [{ id: p.nodeId, childId: null }, ...p.childIds.map((c) => ({ id: c, childId: c }))]),
        { minChildren: q.minChildren ?? 3, degree },
      );
      return { data };
    });
  }

  // ---------- cross-force matches ----------

  async matches(ctx: AccessContext): Promise<{ data: MatchDto[] }> {
    return this.db.transaction(async (tx) => {
      const data = await namedQuery<MatchDto>(
        tx,
        `${MATCH_SELECT} WHERE m.first_organisation_id = :org OR m.second_organisation_id = :org
          ORDER BY m.created_at DESC LIMIT 200`,
        { org: ctx.actor.organisationId, now: this.clock.now(), supervisor: decidesDisclosures(ctx) },
      );
      await this.record.recordList(
        tx,
        ctx,
        'police.match.list',
        'PoliceIntelligence',
        data.map((m) => ({ id: m.nodeId, childId: null })),
      );
      return { data };
    });
  }

  private async loadMatch(tx: EntityManager, ctx: AccessContext, reference: string, lock = false) {
    const rows = await namedQuery<{
      id: string;
      kind: string;
      mine: string;
      other_org: string;
      their_node: string;
    }>(
      tx,
      `SELECT m.id, m.kind,
              CASE WHEN m.first_organisation_id = :org THEN m.first_node_id ELSE m.second_node_id END AS mine,
              CASE WHEN m.first_organisation_id = :org THEN m.second_organisation_id ELSE m.first_organisation_id END AS other_org,
              CASE WHEN m.first_organisation_id = :org THEN m.second_node_id ELSE m.first_node_id END AS their_node
         FROM police_match m WHERE m.reference = :reference
          AND (m.first_organisation_id = :org OR m.second_organisation_id = :org)${lock ? ' FOR UPDATE' : ''}`,
      { reference, org: ctx.actor.organisationId },
    );
    if (!rows[0]) throw PoliceError.matchNotFound();
    return rows[0];
  }

  /**
   * An information request under a match reference: the other force's supervisors are told. One
   * request at a time: a new one once the last was disclosed and that disclosure ended (revoked or
   * expired); the earlier requests and grants are kept.
   */
  async requestDisclosure(ctx: AccessContext, reference: string, dto: MatchRequestDto): Promise<MatchDto> {
    return this.db.transaction(async (tx) => {
      const m = await this.loadMatch(tx, ctx, reference, true);
      const now = this.clock.now();
      const [last] = await namedQuery<{ status: string; live: boolean }>(
        tx,
        `SELECT r.status, (g.id IS NOT NULL AND g.revoked_at IS NULL AND g.until_at > :now) AS live
           FROM police_match_request r LEFT JOIN police_node_grant g ON g.match_request_id = r.id
          WHERE r.match_id = :match AND r.from_organisation_id = :org ORDER BY r.seq DESC LIMIT 1`,
        { match: m.id, org: ctx.actor.organisationId, now },
      );
      if (last && !(last.status === 'DISCLOSED' && !last.live)) throw PoliceError.alreadyDecided(last.status);
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO police_match_request (match_id, from_organisation_id, to_organisation_id, reason, status, requested_by, requested_at)
         VALUES (:match, :org, :other, :reason, 'REQUESTED', :by, :now) RETURNING id`,
        {
          match: m.id,
          org: ctx.actor.organisationId,
          other: m.other_org,
          reason: dto.reason,
          by: ctx.actor.id,
          now,
        },
      );
      if (!row) throw PoliceError.alreadyDecided('REQUESTED');
      await this.notifier.send(
        tx,
        { organisationId: m.other_org, teamId: await this.cseTeam(tx, m.other_org), roles: SUPERVISORS },
        {
          kind: 'police.match.request',
          subjectType: 'PoliceMatch',
          subjectId: m.their_node,
          message: `Another force asks for disclosure under match reference ${reference}.`,
        },
      );
      await this.record.recordStep(tx, ctx, 'police.match.request', 'PoliceIntelligence', [m.mine], null, {
        reference,
      });
      return this.matchView(tx, ctx, reference);
    });
  }

  /** The force asked decides: disclose its node to the asking force (with a lawful basis), or decline. */
  async decideDisclosure(ctx: AccessContext, reference: string, dto: MatchDecisionDto): Promise<MatchDto> {
    const now = this.clock.now();
    const errors: FieldError[] = [];
    if (dto.disclose && !dto.lawfulBasis)
      errors.push({ field: 'lawfulBasis', message: 'lawfulBasis is required to disclose' });
    const until = dto.until !== undefined ? new Date(dto.until) : null;
    if (dto.disclose && !until) errors.push({ field: 'until', message: 'until is required to disclose' });
    if (until && (until <= now || until.getTime() - now.getTime() > MAX_DISCLOSURE_DAYS * 86_400_000))
      errors.push({ field: 'until', message: `until must be in the future and within ${MAX_DISCLOSURE_DAYS} days` });
    if (!dto.disclose && until) errors.push({ field: 'until', message: 'until is only for a decision to disclose' });
    if (errors.length) throw DomainError.validation(errors);
    return this.db.transaction(async (tx) => {
      const m = await this.loadMatch(tx, ctx, reference);
      const [node] = await namedQuery<{ organisation_id: string }>(
        tx,
        `SELECT organisation_id FROM ${NODE_TABLES[m.kind as PoiKind]} WHERE id = :id`,
        { id: m.mine },
      );
      if (
        !node ||
        !can(ctx.ability, 'update', 'PoliceIntelligence' as Subject, { organisationId: node.organisation_id })
      )
        throw PoliceError.matchNotFound();
      // The latest request to this force under the match (earlier ones were decided before it).
      const [req] = await namedQuery<{ id: string; status: string; from_organisation_id: string }>(
        tx,
        `SELECT id, status, from_organisation_id FROM police_match_request
          WHERE match_id = :match AND to_organisation_id = :org ORDER BY seq DESC LIMIT 1 FOR UPDATE`,
        { match: m.id, org: ctx.actor.organisationId },
      );
      if (!req) throw DomainError.notFound('Request under this match');
      if (req.status !== 'REQUESTED') throw PoliceError.alreadyDecided(req.status);
      await namedQuery(
        tx,
        `UPDATE police_match_request SET status = :status, decision_reason = :reason, lawful_basis = :basis,
                decided_by = :by, decided_at = :now WHERE id = :id`,
        {
          id: req.id,
          status: dto.disclose ? 'DISCLOSED' : 'DECLINED',
          reason: dto.reason,
          basis: dto.lawfulBasis ?? null,
          by: ctx.actor.id,
          now,
        },
      );
      if (dto.disclose) {
        await namedQuery(
          tx,
          `INSERT INTO police_node_grant (node_id, grantor_organisation_id, grantee_organisation_id, match_request_id, granted_at, until_at)
           VALUES (:node, :org, :grantee, :req, :now, :until)`,
          { node: m.mine, org: ctx.actor.organisationId, grantee: req.from_organisation_id, req: req.id, now, until },
        );
      }
      await this.notifier.send(
        tx,
        {
          organisationId: req.from_organisation_id,
          teamId: await this.cseTeam(tx, req.from_organisation_id),
          roles: CSE_UNIT_ROLES,
        },
        {
          kind: dto.disclose ? 'police.match.disclosed' : 'police.match.declined',
          subjectType: 'PoliceMatch',
          subjectId: m.their_node,
          message: `Your request under match reference ${reference} was ${dto.disclose ? 'granted' : 'declined'}.`,
        },
      );
      await this.events.emit(
        tx,
        'police.disclosure_decided',
        {
          matchReference: reference,
          nodeId: m.mine,
          requestingOrganisationId: req.from_organisation_id,
          disclosed: dto.disclose,
          until: until?.toISOString() ?? null,
        },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'police.match.decision', 'PoliceIntelligence', [m.mine], null, {
        reference,
        disclose: dto.disclose,
        lawfulBasis: dto.lawfulBasis ?? null,
        until: until?.toISOString() ?? null,
      });
      return this.matchView(tx, ctx, reference);
    });
  }

  /**
   * The force that disclosed ends its disclosure now, with a reason: the other force's access stops
   * at once (grants are read live), its CSE unit is told that it ended (not why), and it is audited.
   */
  async revokeDisclosure(ctx: AccessContext, reference: string, reason: string): Promise<MatchDto> {
    return this.db.transaction(async (tx) => {
      const m = await this.loadMatch(tx, ctx, reference);
      const [grant] = await namedQuery<{ id: string; grantee: string; revoked_at: Date | null; until_at: Date }>(
        tx,
        // The latest disclosure under this match (earlier ones ended before it was made).
        `SELECT g.id, g.grantee_organisation_id AS grantee, g.revoked_at, g.until_at
           FROM police_node_grant g
           JOIN police_match_request r ON r.id = g.match_request_id
           JOIN ${NODE_TABLES[m.kind as PoiKind]} n ON n.id = g.node_id
          WHERE r.match_id = :match AND r.to_organisation_id = :org AND g.node_id = :node
            AND g.grantor_organisation_id = :org AND g.grantee_organisation_id = :other AND n.organisation_id = :org
          ORDER BY r.seq DESC LIMIT 1
          FOR UPDATE OF g`,
        { match: m.id, node: m.mine, org: ctx.actor.organisationId, other: m.other_org },
      );
      if (
        !grant ||
        !can(ctx.ability, 'update', 'PoliceIntelligence' as Subject, { organisationId: ctx.actor.organisationId })
      )
        throw DomainError.notFound('Disclosure under this match');
      const now = this.clock.now();
      if (grant.revoked_at) throw PoliceError.disclosureEnded('revoked');
      if (new Date(grant.until_at) <= now) throw PoliceError.disclosureEnded('expired');
      await namedQuery(
        tx,
        'UPDATE police_node_grant SET revoked_at = :now, revoked_by = :by, revoke_reason = :reason WHERE id = :id',
        { id: grant.id, now, by: ctx.actor.id, reason },
      );
      await this.notifier.send(
        tx,
        { organisationId: grant.grantee, teamId: await this.cseTeam(tx, grant.grantee), roles: CSE_UNIT_ROLES },
        {
          kind: 'police.match.revoked',
          subjectType: 'PoliceMatch',
          subjectId: m.their_node,
          message: `The disclosure to your force under match reference ${reference} has ended.`,
        },
      );
      await this.events.emit(
        tx,
        'police.disclosure_revoked',
        { matchReference: reference, nodeId: m.mine, granteeOrganisationId: grant.grantee },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'police.match.revoke', 'PoliceIntelligence', [m.mine], null, {
        reference,
        reason,
      });
      return this.matchView(tx, ctx, reference);
    });
  }

  private async matchView(tx: EntityManager, ctx: AccessContext, reference: string): Promise<MatchDto> {
    const rows = await namedQuery<MatchDto>(tx, `${MATCH_SELECT} WHERE m.reference = :reference`, {
      reference,
      org: ctx.actor.organisationId,
      now: this.clock.now(),
      supervisor: decidesDisclosures(ctx),
    });
    return rows[0]!;
  }

  // ---------- CAWN ----------

  async createCawn(ctx: AccessContext, dto: CreateCawnDto): Promise<CawnDto> {
    if (dto.expiresOn <= dto.servedOn) throw PoliceError.invalid('expiresOn', 'expiresOn must be after servedOn');
    if (dto.servedOn > day(this.clock.now())) throw PoliceError.invalid('servedOn', 'servedOn cannot be in the future');
    return this.db.transaction(async (tx) => {
      await this.requireNode(tx, ctx, 'person', dto.personId);
      const child = await this.record.requireChild(tx, ctx, dto.childId, { working: true });
      const dob = this.record.identityOf(ctx, child).dateOfBirth;
      if (!dob) throw PoliceError.cawnNotEligible("The child's date of birth is not on the record: a CAWN needs it.");
      const age = ageOn(dob, dto.servedOn);
      if (age >= 18) throw PoliceError.cawnNotEligible('A CAWN is for a child under 18 (the child is 18 or over).');
      // Whether the child is in care is the council's word on the shared record (looked after), not
      // the request's: childInCare is kept for compatibility and not relied on.
      const inCare = (await this.record.planStatusesOf(tx, dto.childId)).includes('looked_after');
      if (age >= 16 && !inCare)
        throw PoliceError.cawnNotEligible(
          'A CAWN is for a child under 16, or under 18 in care: this child is 16 or 17 and not looked after on the shared record (the council records whether a child is in care).',
        );
      // The notice protects a child: it runs at most to the day before the 16th birthday (18th in care).
      const limit = inCare ? 18 : 16;
      const lastDay = dayBefore(birthday(dob, limit));
      if (dto.expiresOn > lastDay)
        throw PoliceError.invalid(
          'expiresOn',
          `a notice runs at most to the day before the child's ${limit}th birthday (${lastDay}${inCare ? ', looked after' : ', not looked after on the shared record'})`,
        );
      const [row] = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO cawn (organisation_id, person_id, child_id, served_on, expires_on, child_in_care, created_by, created_at)
         VALUES (:org, :person, :child, :served, :expires, :inCare, :by, :now) RETURNING id`,
        {
          org: ctx.actor.organisationId,
          person: dto.personId,
          child: dto.childId,
          served: dto.servedOn,
          expires: dto.expiresOn,
          inCare,
          by: ctx.actor.id,
          now: this.clock.now(),
        },
      );
      const id = row!.id;
      // The notice's expiry on a clock: a new notice for the same person and child meets the last one's.
      const previous = await namedQuery<{ id: string }>(
        tx,
        'SELECT id FROM cawn WHERE person_id = :person AND child_id = :child AND organisation_id = :org AND id <> :id',
        { person: dto.personId, child: dto.childId, org: ctx.actor.organisationId, id },
      );
      for (const p of previous) await this.deadlines.close(tx, { type: 'Cawn', id: p.id }, 'met', 'cawn.expiry');
      await this.deadlines.open(tx, {
        subject: { type: 'Cawn', id },
        rule: 'cawn.expiry',
        dueAt: endOfDay(dto.expiresOn),
        organisationId: ctx.actor.organisationId,
        teamId: await this.cseTeam(tx, ctx.actor.organisationId),
        childId: dto.childId,
      });
      await this.record.addEntry(tx, ctx, dto.childId, {
        category: 'cawn',
        summary: 'Child abduction warning notice served on a person of interest.',
        sensitivity: 'police-intelligence',
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'police.cawn_served',
        { cawnId: id, childId: dto.childId, personId: dto.personId, expiresOn: dto.expiresOn },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'police.cawn.create', 'Cawn', [id], dto.childId);
      return this.cawnRow(tx, id);
    });
  }

  async breach(ctx: AccessContext, id: string, dto: BreachDto): Promise<CawnDto> {
    const at = new Date(dto.occurredAt);
    if (at > this.clock.now()) throw PoliceError.invalid('occurredAt', 'occurredAt cannot be in the future');
    return this.db.transaction(async (tx) => {
      const cawn = await this.loadCawn(tx, ctx, id, true);
      // The London calendar day: 00:30 BST on a day is that day, not the one before (UTC).
      const on = day(at);
      if (on < cawn.servedOn) throw PoliceError.invalid('occurredAt', 'occurredAt is before the notice was served');
      if (on > cawn.expiresOn)
        throw PoliceError.invalid('occurredAt', `the notice had expired (it ran to ${cawn.expiresOn})`);
      if (cawn.endedOn && on > cawn.endedOn)
        throw PoliceError.invalid('occurredAt', `the notice had been ended (on ${cawn.endedOn})`);
      await namedQuery(
        tx,
        `INSERT INTO cawn_breach (cawn_id, occurred_at, detail, created_by, created_at) VALUES (:id, :at, :detail, :by, :now)`,
        { id, at, detail: dto.detail, by: ctx.actor.id, now: this.clock.now() },
      );
      await this.record.addEntry(tx, ctx, cawn.childId, {
        category: 'cawn',
        summary: 'Breach of a child abduction warning notice recorded.',
        sensitivity: 'police-intelligence',
        shareable: false,
        multiAgency: false,
        occurredAt: at,
      });
      await this.record.recordStep(tx, ctx, 'police.cawn.breach', 'Cawn', [id], cawn.childId);
      return this.cawnRow(tx, id);
    });
  }

  /**
   * The force ends a notice: withdrawn while it runs (it ends today; its expiry clock is cancelled),
   * or, once lapsed, let end rather than served again (it ended on its expiry day; the clock is met,
   * so the lapse goes no further up). Either way no clock runs for it any more. Once only.
   */
  async endCawn(ctx: AccessContext, id: string, dto: EndCawnDto): Promise<CawnDto> {
    return this.db.transaction(async (tx) => {
      const cawn = await this.loadCawn(tx, ctx, id, true, 'update');
      if (cawn.endedOn) throw PoliceError.cawnEnded(cawn.endedOn);
      const today = day(this.clock.now());
      const lapsed = today > cawn.expiresOn;
      const endedOn = lapsed ? cawn.expiresOn : today < cawn.servedOn ? cawn.servedOn : today;
      await namedQuery(
        tx,
        `UPDATE cawn SET ended_on = :endedOn, ended_at = :now, ended_by = :by, end_reason = :reason WHERE id = :id`,
        { id, endedOn, now: this.clock.now(), by: ctx.actor.id, reason: dto.reason },
      );
      await this.deadlines.close(tx, { type: 'Cawn', id }, lapsed ? 'met' : 'cancelled', 'cawn.expiry');
      await this.record.addEntry(tx, ctx, cawn.childId, {
        category: 'cawn',
        summary: lapsed
          ? 'A lapsed child abduction warning notice was let end (not served again).'
          : 'A child abduction warning notice was withdrawn before its expiry.',
        sensitivity: 'police-intelligence',
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'police.cawn_ended',
        { cawnId: id, childId: cawn.childId, endedOn, lapsed },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'police.cawn.end', 'Cawn', [id], cawn.childId, {
        endedOn,
        lapsed,
      });
      return this.cawnRow(tx, id);
    });
  }

  async cawn(ctx: AccessContext, id: string): Promise<CawnDto> {
    return this.db.transaction(async (tx) => {
      const cawn = await this.loadCawn(tx, ctx, id);
      await this.record.recordStep(tx, ctx, 'police.cawn.read', 'Cawn', [id], cawn.childId);
      return this.cawnRow(tx, id);
    });
  }

  private loadCawn(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    lock = false,
    action: 'read' | 'update' = 'read',
  ): Promise<{ childId: string; servedOn: string; expiresOn: string; endedOn: string | null }> {
    return requireScoped(tx, ctx, {
      action,
      subject: 'Cawn',
      fields: policeFields('w'),
      prefix: 'cw',
      sql: (scope) =>
        `SELECT w.child_id AS "childId", to_char(w.served_on, 'YYYY-MM-DD') AS "servedOn",
                to_char(w.expires_on, 'YYYY-MM-DD') AS "expiresOn", to_char(w.ended_on, 'YYYY-MM-DD') AS "endedOn"
           FROM cawn w WHERE w.id = :id AND ${scope} ${lock ? 'FOR UPDATE' : ''}`,
      params: { id },
      notFound: PoliceError.cawnNotFound,
    });
  }

  private async cawnRow(tx: EntityManager, id: string): Promise<CawnDto> {
    const rows = await namedQuery<CawnDto>(
      tx,
      `SELECT w.id, w.organisation_id AS "organisationId", w.person_id AS "personId", w.child_id AS "childId",
              to_char(w.served_on, 'YYYY-MM-DD') AS "servedOn", to_char(w.expires_on, 'YYYY-MM-DD') AS "expiresOn",
              w.child_in_care AS "childInCare", (w.expires_on < :today::date) AS expired,
              CASE WHEN w.ended_at IS NOT NULL THEN 'ENDED' WHEN w.expires_on < :today::date THEN 'LAPSED' ELSE 'ACTIVE' END
                AS status,
              to_char(w.ended_on, 'YYYY-MM-DD') AS "endedOn", w.end_reason AS "endReason",
              coalesce((SELECT json_agg(json_build_object('id', b.id, 'occurredAt', b.occurred_at, 'detail', b.detail)
                                        ORDER BY b.occurred_at)
                          FROM cawn_breach b WHERE b.cawn_id = w.id), '[]'::json) AS breaches
         FROM cawn w WHERE w.id = :id`,
      { id, today: day(this.clock.now()) },
    );
    return rows[0]!;
  }

  // ---------- helpers ----------

  private cseTeam(tx: EntityManager, organisationId: string): Promise<string | null> {
    return cseTeamOf(tx, organisationId);
  }
}

/** The force's CSE unit team (its supervisors hear first of overdue work), if it has one. */
export async function cseTeamOf(tx: EntityManager, organisationId: string): Promise<string | null> {
  const rows = await namedQuery<{ id: string }>(
    tx,
    "SELECT id FROM team WHERE organisation_id = :org AND function = 'cse_unit' ORDER BY name LIMIT 1",
    { org: organisationId },
  );
  return rows[0]?.id ?? null;
}

/** A supervisor of the force: decides its disclosures, so reads the reasons of requests and decisions. */
function decidesDisclosures(ctx: AccessContext): boolean {
  return can(ctx.ability, 'update', 'PoliceIntelligence' as Subject, { organisationId: ctx.actor.organisationId });
}

/** The day (YYYY-MM-DD) of the birthday at this age; 29 February falls on 1 March in other years. */
export function birthday(dateOfBirth: string, age: number): string {
  const [by, bm, bd] = dateOfBirth.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(by + age, bm - 1, bd)).toISOString().slice(0, 10);
}

/** The calendar day before a day (YYYY-MM-DD). */
function dayBefore(d: string): string {
  const [y, m, dd] = d.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, dd - 1)).toISOString().slice(0, 10);
}

/** Whole years of age on a day (dates YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
