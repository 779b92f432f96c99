import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import { type ReturnIdentifiers, SharedRecord } from '@app/casework';
import { Clock, DomainError, namedQuery } from '@app/platform';
import {
  buildCensusXml,
  type CensusChild,
  type CensusError,
  type CensusEpisode,
  censusPeriod,
  validateCensus,
} from './cin-census';

/** Reads many children's return identifiers at once (SharedRecord.returnIdentifiers, or the CLIs' direct read). */
export type IdentifiersOf = (tx: EntityManager, childIds: string[]) => Promise<Map<string, ReturnIdentifiers>>;

/**
 * Loads a council's census year in a handful of set-based statements (no query per child). The
 * children's identifiers come from the shared record (`identifiersOf`), never from its tables.
 */
export async function loadCensus(
  tx: EntityManager,
  organisationId: string,
  year: number,
  identifiersOf: IdentifiersOf,
): Promise<CensusChild[]> {
  const { start, end } = censusPeriod(year);
  const d = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
  const cases = await namedQuery<{
    id: string;
    childId: string;
    referralDate: string;
    referralSource: string;
    primaryNeed: string | null;
    referralNfa: boolean;
    closureDate: string | null;
    closureReason: string | null;
  }>(
    tx,
    `SELECT c.id, c.child_id AS "childId", ${d('c.referral_date')} AS "referralDate", c.referral_source AS "referralSource",
            c.primary_need AS "primaryNeed", c.referral_nfa AS "referralNfa", ${d('c.closure_date')} AS "closureDate",
            c.closure_reason AS "closureReason"
       FROM cs_case c
      WHERE c.organisation_id = :org AND c.referral_date <= :end AND (c.closure_date IS NULL OR c.closure_date >= :start)
      ORDER BY c.child_id, c.referral_date, c.id`,
    { org: organisationId, start, end },
  );
  const identifiers = await identifiersOf(tx, [...new Set(cases.map((c) => c.childId))]);
  const scope = `case_id IN (SELECT id FROM cs_case WHERE organisation_id = :org AND referral_date <= :end
                  AND (closure_date IS NULL OR closure_date >= :start))`;
  const params = { org: organisationId, start, end };
  const [assessments, s47s, plans, reviews] = [
    await namedQuery<{ caseId: string; startDate: string; authorisedDate: string | null; factors: string[] }>(
      tx,
      `SELECT case_id AS "caseId", ${d('start_date')} AS "startDate", ${d('authorised_date')} AS "authorisedDate", factors
         FROM cs_assessment WHERE ${scope} AND start_date <= :end ORDER BY start_date`,
      params,
    ),
    await namedQuery<{
      caseId: string;
      startDate: string;
      icpcTarget: string;
      icpcDate: string | null;
      outcome: string | null;
    }>(
      tx,
      `SELECT s.case_id AS "caseId", ${d('s.start_date')} AS "startDate", ${d('s.icpc_target')} AS "icpcTarget",
              (SELECT ${d('min(x.held_on)')} FROM cs_conference x WHERE x.s47_id = s.id) AS "icpcDate", s.outcome
         FROM cs_s47 s WHERE s.${scope} AND s.start_date <= :end ORDER BY s.start_date`,
      params,
    ),
    await namedQuery<{
      id: string;
      caseId: string;
      kind: string;
      startDate: string;
      endDate: string | null;
      initialCategory: string | null;
      latestCategory: string | null;
      previousPlans: number;
    }>(
      tx,
      // NumberOfPreviousCPP: the child's earlier child protection plans with this council, of any year.
      `WITH cp AS (SELECT id, (row_number() OVER (PARTITION BY child_id ORDER BY start_date, created_at) - 1)::int AS previous
                     FROM cs_plan WHERE organisation_id = :org AND kind = 'CP')
       SELECT p.id, p.case_id AS "caseId", p.kind, ${d('p.start_date')} AS "startDate", ${d('p.end_date')} AS "endDate",
              p.initial_category AS "initialCategory", p.latest_category AS "latestCategory",
              coalesce(cp.previous, 0) AS "previousPlans"
         FROM cs_plan p LEFT JOIN cp ON cp.id = p.id
        WHERE p.${scope} AND p.start_date <= :end ORDER BY p.start_date`,
      params,
    ),
    await namedQuery<{ planId: string; heldOn: string }>(
      tx,
      `SELECT plan_id AS "planId", ${d('held_on')} AS "heldOn" FROM cs_conference
        WHERE kind = 'REVIEW' AND ${scope} AND held_on <= :end ORDER BY held_on`,
      params,
    ),
  ];
  const group = <T extends { caseId: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.caseId) ?? m.set(r.caseId, []).get(r.caseId)!).push(r);
    return m;
  };
  const byCase = { a: group(assessments), s: group(s47s), p: group(plans) };
  const reviewsOf = new Map<string, string[]>();
  for (const r of reviews) (reviewsOf.get(r.planId) ?? reviewsOf.set(r.planId, []).get(r.planId)!).push(r.heldOn);
  const children = new Map<string, CensusChild>();
  for (const c of cases) {
    let child = children.get(c.childId);
    if (!child) {
      const who = identifiers.get(c.childId);
      child = {
        childId: c.childId,
        laChildId: who?.laChildId ?? null,
        upn: who?.upn ?? null,
        dateOfBirth: who?.dateOfBirth ?? null,
        expectedDateOfBirth: who?.expectedDateOfBirth ?? null,
        sex: who?.sex ?? null,
        ethnicity: who?.ethnicity ?? null,
        disabilities: who?.disabilities ?? [],
        episodes: [],
      };
      children.set(c.childId, child);
    }
    const plansOf = byCase.p.get(c.id) ?? [];
    const episode: CensusEpisode = {
      caseId: c.id,
      referralDate: c.referralDate,
      referralSource: c.referralSource,
      primaryNeed: c.primaryNeed,
      referralNfa: c.referralNfa,
      closureDate: c.closureDate && c.closureDate <= end ? c.closureDate : null,
      closureReason: c.closureDate && c.closureDate <= end ? c.closureReason : null,
      assessments: (byCase.a.get(c.id) ?? []).map(({ startDate, authorisedDate, factors }) => ({
        startDate,
        authorisedDate: authorisedDate && authorisedDate <= end ? authorisedDate : null,
        factors: authorisedDate && authorisedDate <= end ? factors : [],
      })),
      cinPlans: plansOf
        .filter((p) => p.kind === 'CIN')
        .map((p) => ({ startDate: p.startDate, endDate: p.endDate && p.endDate <= end ? p.endDate : null })),
      s47s: (byCase.s.get(c.id) ?? []).map((s) => ({
        startDate: s.startDate,
        icpcTarget: s.icpcTarget,
        icpcDate: s.icpcDate && s.icpcDate <= end ? s.icpcDate : null,
        icpcNotRequired: s.outcome === 'NFA' || s.outcome === 'CIN',
      })),
      cpPlans: plansOf
        .filter((p) => p.kind === 'CP')
        .map((p) => ({
          startDate: p.startDate,
          endDate: p.endDate && p.endDate <= end ? p.endDate : null,
          initialCategory: p.initialCategory,
          latestCategory: p.latestCategory,
          previousPlans: p.previousPlans,
          reviews: reviewsOf.get(p.id) ?? [],
        })),
    };
    child.episodes.push(episode);
  }
  return [...children.values()];
}

/** The Children in Need census of a council: validated, then as XML; refused with each rule broken. */
@Injectable()
export class CinCensusService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly clock: Clock,
  ) {}

  async census(ctx: AccessContext, year: number, la?: string): Promise<string> {
    // The access log of a refused return must survive the refusal: the transaction commits with
    // it, and the 422 is thrown after (a throw inside would roll the audit event back).
    const outcome = await this.db.transaction<{ errors: CensusError[] } | { xml: string }>(
      'REPEATABLE READ',
      async (tx) => {
        const children = await loadCensus(tx, ctx.actor.organisationId, year, (t, ids) =>
          this.record.returnIdentifiers(t, ids),
        );
        const errors = validateCensus(children, year);
        // Every child the return names is on their access log, refused or not.
        await this.record.recordList(
          tx,
          ctx,
          'cin_census.export',
          'StatutoryReturn',
          children.map((c) => ({ id: c.episodes[0]!.caseId, childId: c.childId })),
          { year, children: children.length, errors: errors.length },
        );
        if (errors.length) return { errors };
        const code =
          la ??
          (
            await namedQuery<{ code: string }>(tx, 'SELECT code FROM organisation WHERE id = :id', {
              id: ctx.actor.organisationId,
            })
          )[0]!.code;
        return { xml: buildCensusXml(children, { year, la: code, generatedAt: this.clock.now() }) };
      },
    );
    if ('errors' in outcome) {
      const { errors } = outcome;
      throw new DomainError(
        'CIN_CENSUS.INVALID',
        422,
        'Unprocessable Content',
        `The census breaks ${errors.length} validation rule(s): correct the records named and produce it again.`,
        { errors: errors.slice(0, 200), errorCount: errors.length },
      );
    }
    return outcome.xml;
  }
}
