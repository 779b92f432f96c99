import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import { type ReturnIdentifiers, SharedRecord } from '@app/casework';
import { namedQuery } from '@app/platform';
import { councilContactsOf, immediateProtectionOf } from '@app/referrals';
import {
  annexADate,
  annexAFileName,
  annexALabels,
  type AnnexAList,
  annexAPeriod,
  buildAnnexACsv,
  type CaseStatus,
  CONTACT_SOURCE_BY_ORGANISATION_TYPE,
  personCells,
} from './annex-a';
import type { IdentifiersOf } from './cin-census.service';

/**
 * What the lists read outside the council's own tables, each through its owner's public function:
 * children's identifiers (children), the contacts received and the immediate-protection decisions
 * (referrals). The API passes SharedRecord's; the CLI and the bench the same functions directly.
 */
export interface AnnexAReads {
  identifiersOf: IdentifiersOf;
  contactsOf: typeof councilContactsOf;
  immediateProtectionOf: typeof immediateProtectionOf;
}

/** The reads as the command line and the bench use them (no Nest container). */
export const annexAReadsWith = (identifiersOf: IdentifiersOf): AnnexAReads => ({
  identifiersOf,
  contactsOf: councilContactsOf,
  immediateProtectionOf,
});

/** One list, loaded: its rows (cells in the published column order) and what each row names. */
export interface AnnexALoaded {
  list: AnnexAList;
  at: string;
  rows: string[][];
  /** The record each row comes from; a contact about a child not yet on the record names none. */
  items: { id: string; childId: string | null }[];
}

/** A row of any list's statement: the columns it selects (each list selects some of them). */
interface Row {
  id: string;
  childId: string | null;
  teamId: string | null;
  workerId: string | null;
  date?: string;
  source?: string;
  nfa?: boolean;
  previous?: number;
  startDate?: string;
  authorisedDate?: string | null;
  outcome?: string | null;
  completedDate?: string | null;
  icpcDate?: string | null;
  icpcDecision?: string | null;
  previousS47s?: number;
  previousIcpcs?: number;
  primaryNeed?: string | null;
  closureDate?: string | null;
  closureReason?: string | null;
  endDate?: string | null;
  initialCategory?: string | null;
  latestCategory?: string | null;
  latestReview?: string | null;
  caseStatus?: CaseStatus;
  /** List 1: the contact's child not yet on the record (the sender's details only). */
  unlinked?: { dateOfBirth: string | null };
}

const d = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const upTo = (date: string | null | undefined, to: string) => (date && date <= to ? date : null);
const hasDisability = (who: ReturnIdentifiers | undefined) =>
  annexALabels.yesNo(!!who && who.disabilities.some((x) => x !== 'NONE'));

/** Each list's statement: the council's records overlapping the six months to `at`, in date order. */
const QUERIES: Record<AnnexAList, string | null> = {
  // Contacts: the referrals the council received (referrals' public read, merged in loadContacts)
  // and the cases it opened on a contact recorded directly, without a MASH referral.
  1: `SELECT c.id, c.child_id AS "childId", c.team_id AS "teamId", c.allocated_worker_id AS "workerId",
             ${d('c.referral_date')} AS "date", c.referral_source AS source
        FROM cs_case c WHERE c.organisation_id = :org AND c.referral_id IS NULL AND c.referral_date BETWEEN :from AND :to
       ORDER BY c.referral_date, c.id`,
  // Early help assessments are not held by this system: the list is its header only (docs/domain.md).
  2: null,
  3: `SELECT c.id, c.child_id AS "childId", c.team_id AS "teamId", c.allocated_worker_id AS "workerId",
             ${d('c.referral_date')} AS "date", c.referral_source AS source, c.referral_nfa AS nfa,
             (SELECT count(*) FROM cs_case p WHERE p.child_id = c.child_id AND p.organisation_id = c.organisation_id
                 AND p.referral_date >= c.referral_date - interval '12 months'
                 AND (p.referral_date, p.id) < (c.referral_date, c.id))::int AS previous
        FROM cs_case c WHERE c.organisation_id = :org AND c.referral_date BETWEEN :from AND :to
       ORDER BY c.referral_date, c.id`,
  4: `SELECT a.id, a.child_id AS "childId", c.team_id AS "teamId", c.allocated_worker_id AS "workerId",
             ${d('a.start_date')} AS "startDate", ${d('a.authorised_date')} AS "authorisedDate", a.outcome
        FROM cs_assessment a JOIN cs_case c ON c.id = a.case_id
       WHERE a.organisation_id = :org AND a.start_date <= :to AND (a.authorised_date IS NULL OR a.authorised_date >= :from)
       ORDER BY a.start_date, a.id`,
  5: `SELECT s.id, s.child_id AS "childId", c.team_id AS "teamId", c.allocated_worker_id AS "workerId",
             ${d('s.start_date')} AS "startDate", ${d('s.completed_date')} AS "completedDate", s.outcome,
             ${d('icpc.held_on')} AS "icpcDate", icpc.decision AS "icpcDecision",
             (SELECT count(*) FROM cs_s47 p WHERE p.child_id = s.child_id AND p.organisation_id = s.organisation_id
                 AND p.start_date >= s.start_date - interval '12 months'
                 AND (p.start_date, p.id) < (s.start_date, s.id))::int AS "previousS47s",
             (SELECT count(*) FROM cs_conference x WHERE x.child_id = s.child_id AND x.organisation_id = s.organisation_id
                 AND x.kind = 'INITIAL' AND x.held_on >= s.start_date - interval '12 months'
                 AND x.held_on < s.start_date)::int AS "previousIcpcs"
        FROM cs_s47 s JOIN cs_case c ON c.id = s.case_id
        LEFT JOIN LATERAL (SELECT x.held_on, x.decision FROM cs_conference x
                            WHERE x.s47_id = s.id AND x.kind = 'INITIAL' AND x.held_on <= :to
                            ORDER BY x.held_on LIMIT 1) icpc ON true
       WHERE s.organisation_id = :org AND s.start_date <= :to AND (s.completed_date IS NULL OR s.completed_date >= :from)
       ORDER BY s.start_date, s.id`,
  // Children in need: episodes open at any time in the period that went beyond the referral.
  6: `SELECT c.id, c.child_id AS "childId", c.team_id AS "teamId", c.allocated_worker_id AS "workerId",
             ${d('c.referral_date')} AS "date", c.primary_need AS "primaryNeed",
             ${d('c.closure_date')} AS "closureDate", c.closure_reason AS "closureReason",
             CASE
               WHEN c.closure_date <= :to THEN 'closed'
               WHEN EXISTS (SELECT 1 FROM cs_looked_after la WHERE la.case_id = c.id AND la.start_date <= :to
                              AND (la.end_date IS NULL OR la.end_date > :to)) THEN 'looked_after'
               WHEN EXISTS (SELECT 1 FROM cs_plan p WHERE p.case_id = c.id AND p.kind = 'CP' AND p.start_date <= :to
                              AND (p.end_date IS NULL OR p.end_date > :to)) THEN 'cp_plan'
               WHEN EXISTS (SELECT 1 FROM cs_plan p WHERE p.case_id = c.id AND p.kind = 'CIN' AND p.start_date <= :to
                              AND (p.end_date IS NULL OR p.end_date > :to)) THEN 'cin_plan'
               WHEN EXISTS (SELECT 1 FROM cs_assessment a WHERE a.case_id = c.id AND a.start_date <= :to
                              AND (a.authorised_date IS NULL OR a.authorised_date > :to)) THEN 'open_assessment'
               ELSE 'cin_plan'
             END AS "caseStatus"
        FROM cs_case c
       WHERE c.organisation_id = :org AND c.referral_date <= :to AND (c.closure_date IS NULL OR c.closure_date >= :from)
         AND NOT c.referral_nfa
         AND (EXISTS (SELECT 1 FROM cs_assessment a WHERE a.case_id = c.id AND a.start_date <= :to)
           OR EXISTS (SELECT 1 FROM cs_s47 s WHERE s.case_id = c.id AND s.start_date <= :to)
           OR EXISTS (SELECT 1 FROM cs_plan p WHERE p.case_id = c.id AND p.start_date <= :to))
       ORDER BY c.referral_date, c.id`,
  7: `WITH cp AS (SELECT id, (row_number() OVER (PARTITION BY child_id ORDER BY start_date, created_at) - 1)::int AS previous
                FROM cs_plan WHERE organisation_id = :org AND kind = 'CP')
      SELECT p.id, p.child_id AS "childId", c.team_id AS "teamId", p.lead_social_worker_id AS "workerId",
             ${d('p.start_date')} AS "startDate", ${d('p.end_date')} AS "endDate",
             p.initial_category AS "initialCategory", p.latest_category AS "latestCategory", cp.previous,
             (SELECT ${d('max(x.held_on)')} FROM cs_conference x
               WHERE x.plan_id = p.id AND x.kind = 'REVIEW' AND x.held_on <= :to) AS "latestReview"
        FROM cs_plan p JOIN cs_case c ON c.id = p.case_id JOIN cp ON cp.id = p.id
       WHERE p.organisation_id = :org AND p.kind = 'CP' AND p.start_date <= :to
         AND (p.end_date IS NULL OR p.end_date >= :from)
       ORDER BY p.start_date, p.id`,
};

/**
 * List 1's rows: every referral the council received in the period (whatever became of it: a case
 * opened from it gives the social worker's source code and allocation, otherwise the sender's kind
 * of organisation gives the source), and the cases opened on a contact recorded directly.
 */
async function loadContacts(
  tx: EntityManager,
  organisationId: string,
  from: string,
  to: string,
  reads: AnnexAReads,
): Promise<Row[]> {
  const direct = await namedQuery<Row>(tx, QUERIES[1]!, { org: organisationId, from, to });
  const contacts = await reads.contactsOf(tx, organisationId, from, to);
  const cases = new Map(
    (
      await namedQuery<Row & { referralId: string }>(
        tx,
        `SELECT c.referral_id AS "referralId", c.id, c.child_id AS "childId", c.team_id AS "teamId",
                c.allocated_worker_id AS "workerId", c.referral_source AS source
           FROM cs_case c WHERE c.organisation_id = :org AND c.referral_id = ANY(:ids)`,
        { org: organisationId, ids: contacts.map((x) => x.referralId) },
      )
    ).map((c) => [c.referralId, c]),
  );
  const received = contacts.map((x): Row => {
    const kase = cases.get(x.referralId);
    return {
      id: x.referralId,
      childId: x.childId ?? kase?.childId ?? null,
      teamId: kase?.teamId ?? null,
      workerId: kase?.workerId ?? null,
      date: x.receivedOn,
      source: kase?.source ?? CONTACT_SOURCE_BY_ORGANISATION_TYPE[x.fromOrganisationType] ?? '10',
      ...(x.childId || kase ? {} : { unlinked: { dateOfBirth: x.subjectDateOfBirth } }),
    };
  });
  return [...direct, ...received].sort((a, b) =>
    a.date! < b.date! ? -1 : a.date! > b.date! ? 1 : a.id < b.id ? -1 : 1,
  );
}

/**
 * Loads one Annex A list of a council for the six months to `at`: set-based statements, the
 * children's identifiers from the shared record, contacts and immediate-protection decisions from
 * referrals (`reads`), names of the allocated teams and workers from identity's directory.
 */
export async function loadAnnexA(
  tx: EntityManager,
  organisationId: string,
  list: AnnexAList,
  at: string,
  reads: AnnexAReads,
): Promise<AnnexALoaded> {
  const sql = QUERIES[list];
  if (!sql) return { list, at, rows: [], items: [] };
  const { from, to } = annexAPeriod(at);
  const found =
    list === 1
      ? await loadContacts(tx, organisationId, from, to, reads)
      : await namedQuery<Row>(tx, sql, { org: organisationId, from, to });
  const childIds = [...new Set(found.map((r) => r.childId).filter((x): x is string => !!x))];
  const who = await reads.identifiersOf(tx, childIds);
  // List 7: police protection or an emergency protection order in the six months (the MASH decision).
  const protectedOn =
    list === 7 ? await reads.immediateProtectionOf(tx, organisationId, childIds, from, to) : new Map<string, string>();
  const workers = new Map(
    (
      await namedQuery<{ id: string; name: string }>(tx, 'SELECT id, name FROM app_user WHERE id = ANY(:ids)', {
        ids: [...new Set(found.map((r) => r.workerId).filter((x): x is string => !!x))],
      })
    ).map((u) => [u.id, u.name]),
  );
  const teams = new Map(
    (
      await namedQuery<{ id: string; name: string }>(tx, 'SELECT id, name FROM team WHERE id = ANY(:ids)', {
        ids: [...new Set(found.map((r) => r.teamId).filter((x): x is string => !!x))],
      })
    ).map((t) => [t.id, t.name]),
  );
  const rows = found.map((r) => {
    const child = r.childId ? who.get(r.childId) : undefined;
    const person = personCells(
      r.unlinked
        ? // A contact about a child not on the record: the referral's reference and the sender's date of birth.
          { childUniqueId: `REF-${r.id}`, sex: null, ethnicity: null, dateOfBirth: r.unlinked.dateOfBirth }
        : {
            childUniqueId: child?.laChildId ?? r.childId ?? '',
            sex: child?.sex ?? null,
            ethnicity: child?.ethnicity ?? null,
            dateOfBirth: child?.dateOfBirth ?? null,
            expectedDateOfBirth: child?.expectedDateOfBirth ?? null,
          },
      at,
    );
    const allocated = [r.teamId ? (teams.get(r.teamId) ?? '') : '', r.workerId ? (workers.get(r.workerId) ?? '') : ''];
    const L = annexALabels;
    switch (list) {
      case 1:
        return [...person, annexADate(r.date), L.source(r.source)];
      case 3:
        return [...person, annexADate(r.date), L.source(r.source), L.yesNo(r.nfa), String(r.previous), ...allocated];
      case 4: {
        const authorised = upTo(r.authorisedDate, to);
        return [
          ...person,
          hasDisability(child),
          annexADate(r.startDate),
          '',
          annexADate(authorised),
          // Assessed as requiring children's social care support: every authorised outcome but NFA.
          authorised ? L.yesNo(r.outcome !== 'NFA') : '',
          ...allocated,
        ];
      }
      case 5: {
        const completed = upTo(r.completedDate, to);
        return [
          ...person,
          hasDisability(child),
          annexADate(r.startDate),
          completed ? L.yesNo(r.outcome !== 'ICPC_REQUIRED') : '',
          annexADate(r.icpcDate),
          r.icpcDate ? L.yesNo(r.icpcDecision === 'PLAN') : '',
          String(r.previousS47s),
          String(r.previousIcpcs),
          ...allocated,
        ];
      }
      case 6: {
        const closed = upTo(r.closureDate, to);
        return [
          ...person,
          hasDisability(child),
          annexADate(r.date),
          L.need(r.primaryNeed),
          '',
          annexADate(closed),
          closed ? L.closure(r.closureReason) : '',
          L.caseStatus(r.caseStatus!),
          ...allocated,
        ];
      }
      case 2:
        return [];
      case 7:
        return [
          ...person,
          hasDisability(child),
          annexADate(r.startDate),
          L.category(r.initialCategory),
          L.category(r.latestCategory),
          '',
          '',
          annexADate(r.latestReview),
          annexADate(upTo(r.endDate, to)),
          // Yes where the council decided immediate protection in the period; blank otherwise: no
          // orders are recorded, so the absence of that decision does not show there was none.
          r.childId && protectedOn.has(r.childId) ? 'a) Yes' : '',
          String(r.previous),
          ...allocated,
        ];
    }
  });
  return { list, at, rows, items: found.map((r) => ({ id: r.id, childId: r.childId })) };
}

/** The CSV of a loaded list. */
export const buildAnnexA = (loaded: AnnexALoaded): string => buildAnnexACsv(loaded.list, loaded.rows);

/** Ofsted's Annex A lists of the caller's council, each on the access log of every child it names. */
@Injectable()
export class AnnexAService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
  ) {}

  async list(ctx: AccessContext, list: AnnexAList, at: string): Promise<{ csv: string; fileName: string }> {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const loaded = await loadAnnexA(tx, ctx.actor.organisationId, list, at, {
        identifiersOf: (t, ids) => this.record.returnIdentifiers(t, ids),
        contactsOf: councilContactsOf,
        immediateProtectionOf,
      });
      await this.record.recordList(tx, ctx, 'annex_a.export', 'StatutoryReturn', loaded.items, {
        list,
        at,
        rows: loaded.rows.length,
      });
      return { csv: buildAnnexA(loaded), fileName: annexAFileName(list, at) };
    });
  }
}
