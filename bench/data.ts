/**
 * The bench data generator, used by bench/run.ts and bench/generate.ts: N children (default
 * 100,000, up to 1,000,000) across the six demo agencies, with involvements (~1.3 a child),
 * chronology (3 a child), addresses (6 in 10) and case teams for the restricted 1%. All in SQL
 * (generate_series), in batches of 100,000.
 *
 * Needs a migrated database with the demo world seeded and no generated children yet.
 * Deterministic names and attributes (a hash of the row number); ids are random UUIDs.
 */
import { Client } from 'pg';
import { nameKeyOf, searchNameOf } from '@app/children';
import {
  CHRONOLOGY_SUMMARIES,
  FAMILY_NAMES,
  GIVEN_NAMES_F,
  GIVEN_NAMES_M,
  PREFERRED_NAMES,
  STREETS,
  TOWNS,
} from './names';

export const AGENCY_CODES = ['NSC', 'SSC', 'NSP', 'SSP', 'NNHS', 'RVA'] as const;
/** Share of children each agency leads, in percent, in AGENCY_CODES order. */
const LEAD_SHARE = [25, 25, 12, 12, 16, 10];
const SENSITIVITY: Record<string, string> = {
  NSC: 'social-care',
  SSC: 'social-care',
  NSP: 'police-intelligence',
  SSP: 'police-intelligence',
  NNHS: 'health',
  RVA: 'education',
};
const CATEGORIES = [
  'concern',
  'referral',
  'assessment',
  'strategy_discussion',
  'conference',
  'missing_episode',
  'police_incident',
  'health_appointment',
  'education',
  'contact',
  'decision',
  'other',
];
const ETHNICITIES = ['WBRI', 'WBRI', 'WBRI', 'WBRI', 'WOTH', 'MWBC', 'MWBA', 'AIND', 'APKN', 'ABAN', 'BAFR', 'BCRB'];
const LANGUAGES = ['Polish', 'Urdu', 'Punjabi', 'Romanian', 'Arabic', 'Bengali', 'Somali', 'Spanish'];

export const BATCH = 100_000;
export const MAX_N = 1_000_000;

type Log = (msg: string) => void;

/** The tables the generator fills, whose secondary indexes are dropped during the load and rebuilt. */
const TABLES = ['child', 'involvement', 'chronology_entry', 'child_address', 'case_team_member', 'child_search'];

/** Pseudo-random integer in [0, m) from the row number n and a salt k: deterministic, uniform enough. */
const H = `CREATE FUNCTION pg_temp.h(n bigint, k int, m int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((hashint8($1 * 64 + $2)::bigint + 2147483648) % $3)::int $$`;
/**
 * Skewed pick in [0, m): most picks near the start of a list (u to the power 1.3), so the
 * commonest family name is ~1.5% of children, as Smith is in the UK.
 */
const SKEW = `CREATE FUNCTION pg_temp.skew(n bigint, k int, m int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(power(pg_temp.h($1, $2, 1000000) / 1000000.0, 1.3) * $3)::int $$`;

export async function generate(client: Client, n: number, log: Log = console.log): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_N) throw new Error(`N must be 1 to ${MAX_N}`);
  const started = Date.now();
  const orgRows = await client.query<{ code: string; id: string; user_id: string | null }>(
    `SELECT o.code, o.id, (SELECT u.id FROM app_user u WHERE u.organisation_id = o.id ORDER BY u.email LIMIT 1) AS user_id
       FROM organisation o WHERE o.code = ANY($1)`,
    [AGENCY_CODES],
  );
  const orgs = new Map(orgRows.rows.map((r) => [r.code, r]));
  for (const code of AGENCY_CODES) {
    if (!orgs.get(code)?.user_id)
      throw new Error(`Organisation ${code} or its users missing: seed the demo world first`);
  }
  const orgIds = AGENCY_CODES.map((c) => orgs.get(c)!.id);
  const userIds = AGENCY_CODES.map((c) => orgs.get(c)!.user_id!);
  const sensitivities = AGENCY_CODES.map((c) => SENSITIVITY[c]);
  // Cumulative lead shares, e.g. [25, 50, 62, ...], for picking the lead agency from a 0..99 draw.
  const cumulative = LEAD_SHARE.map((_, i) => LEAD_SHARE.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const leadCase = `CASE ${cumulative
    .map((c, i) => `WHEN pg_temp.h(n, 1, 100) < ${c} THEN ${i + 1}`)
    .join(' ')} ELSE ${cumulative.length} END`;

  await client.query(H);
  await client.query(SKEW);
  // Bulk-load settings for this session only: no FK triggers (the data is consistent by
  // construction, checked below), no wait for WAL flush, memory for the index builds.
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '512MB'`);

  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = (quote_ident(i.indexname))::regclass)`,
    [TABLES],
  );
  log(`dropping ${indexes.rowCount} secondary indexes for the load`);
  for (const ix of indexes.rows) await client.query(`DROP INDEX "${ix.name}"`);

  for (let from = 1; from <= n; from += BATCH) {
    const to = Math.min(n, from + BATCH - 1);
    const t0 = Date.now();
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE gen ON COMMIT DROP AS
       SELECT n, gen_random_uuid() AS id, lead, lead_org, other, other_org, sex, given, family, preferred, previous, dob,
              pg_temp.h(n, 9, 100) = 0 AS restricted,
              pg_temp.h(n, 10, 100) < 30 AS has_other,
              pg_temp.h(n, 11, 100) < 20 AS other_ended
         FROM (
           SELECT n, lead, ($1::uuid[])[lead] AS lead_org, other, ($1::uuid[])[other] AS other_org, sex,
                  CASE WHEN sex = 'F' OR (sex = 'U' AND pg_temp.h(n, 3, 2) = 0)
                       THEN ($2::text[])[1 + pg_temp.skew(n, 4, cardinality($2::text[]))]
                       ELSE ($3::text[])[1 + pg_temp.skew(n, 4, cardinality($3::text[]))] END AS given,
                  ($4::text[])[1 + pg_temp.skew(n, 5, cardinality($4::text[]))] AS family,
                  CASE WHEN pg_temp.h(n, 6, 100) < 5
                       THEN ($5::text[])[1 + pg_temp.h(n, 7, cardinality($5::text[]))] END AS preferred,
                  CASE WHEN pg_temp.h(n, 8, 100) < 4
                       THEN ($4::text[])[1 + pg_temp.h(n, 12, cardinality($4::text[]))] END AS previous,
                  date '2007-01-01' + pg_temp.h(n, 13, 6575) AS dob
             FROM (
               SELECT n, ${leadCase} AS lead,
                      CASE WHEN pg_temp.h(n, 2, 100) < 49 THEN 'M' WHEN pg_temp.h(n, 2, 100) < 98 THEN 'F' ELSE 'U' END AS sex
                 FROM generate_series($6::int, $7::int) AS n
             ) a,
             LATERAL (SELECT 1 + (lead + pg_temp.h(n, 14, 5)) % 6 AS other) o
         ) b`,
      [orgIds, GIVEN_NAMES_F, GIVEN_NAMES_M, FAMILY_NAMES, PREFERRED_NAMES, from, to],
    );
    await client.query(
      `INSERT INTO child (id, given_name, family_name, preferred_name, previous_names, name_key, search_name,
                          date_of_birth, sex, ethnicity, first_language, interpreter_needed, disabilities,
                          nhs_number, upn, pnc_id, la_child_id, restricted, created_by_organisation_id, version,
                          created_at, updated_at)
       SELECT id, given, family, preferred, CASE WHEN previous IS NULL THEN '{}'::text[] ELSE ARRAY[previous] END,
              lower(unaccent(given || ' ' || family)),
              lower(unaccent(concat_ws(' ', given, family, preferred, previous))),
              dob, sex, ($1::text[])[1 + pg_temp.h(n, 20, cardinality($1::text[]))],
              CASE WHEN pg_temp.h(n, 21, 100) < 88 THEN 'English'
                   ELSE ($2::text[])[1 + pg_temp.h(n, 22, cardinality($2::text[]))] END,
              pg_temp.h(n, 21, 100) >= 96,
              CASE WHEN pg_temp.h(n, 23, 100) < 8 THEN ARRAY['LD'] ELSE '{}'::text[] END,
              CASE WHEN pg_temp.h(n, 24, 100) < 85 THEN '9' || lpad(n::text, 9, '0') END,
              CASE WHEN dob < date '2020-09-01' AND pg_temp.h(n, 25, 100) < 70 THEN 'B' || lpad(n::text, 12, '0') END,
              CASE WHEN lead IN (3, 4) AND pg_temp.h(n, 26, 100) < 30
                   THEN lpad((10 + pg_temp.h(n, 27, 15))::text, 2, '0') || '/' || lpad(n::text, 7, '0') || 'X' END,
              CASE WHEN lead IN (1, 2) THEN 'LA-' || lpad(n::text, 8, '0') END,
              restricted, lead_org, 1,
              now() - (1 + pg_temp.h(n, 28, 1500)) * interval '1 day', now() - pg_temp.h(n, 29, 30) * interval '1 day'
         FROM gen`,
      [ETHNICITIES, LANGUAGES],
    );
    await client.query(
      `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, until_at, reason, created_by, created_at)
       SELECT id, lead_org, 'lead', 'registered', f, NULL, 'Registered the child', ($1::uuid[])[lead], f
         FROM gen, LATERAL (SELECT now() - (1 + pg_temp.h(n, 30, 1500)) * interval '1 day' AS f) t
       UNION ALL
       SELECT id, other_org, 'contributing', (ARRAY['referral_accepted', 'mash_enquiry', 'statutory'])[1 + pg_temp.h(n, 31, 3)],
              f, CASE WHEN other_ended THEN f + (1 + pg_temp.h(n, 33, 300)) * interval '1 day' END,
              'Referral accepted', ($1::uuid[])[other], f
         FROM gen, LATERAL (SELECT now() - (CASE WHEN other_ended THEN 400 ELSE 1 END + pg_temp.h(n, 32, 1000)) * interval '1 day' AS f) t
        WHERE has_other`,
      [userIds],
    );
    await client.query(
      `INSERT INTO chronology_entry (child_id, organisation_id, author_id, occurred_at, recorded_at, category, summary,
                                     detail, sensitivity, shareable)
       SELECT id, ($1::uuid[])[w], ($2::uuid[])[w], occ, occ + pg_temp.h(n, 40 + k, 48) * interval '1 hour',
              ($3::text[])[1 + pg_temp.h(n, 43 + k, cardinality($3::text[]))],
              ($4::text[])[1 + pg_temp.h(n, 46 + k, cardinality($4::text[]))],
              CASE WHEN pg_temp.h(n, 49 + k, 2) = 0 THEN 'Further detail recorded by the practitioner at the time.' END,
              ($5::text[])[w], pg_temp.h(n, 52 + k, 10) < 6
         FROM gen CROSS JOIN generate_series(0, 2) AS k,
              LATERAL (SELECT CASE WHEN k = 2 AND has_other THEN other ELSE lead END AS w,
                              now() - (1 + pg_temp.h(n, 55 + k, 1000)) * interval '1 day'
                                    - pg_temp.h(n, 58 + k, 1440) * interval '1 minute' AS occ) t`,
      [orgIds, userIds, CATEGORIES, CHRONOLOGY_SUMMARIES, sensitivities],
    );
    await client.query(
      `INSERT INTO child_address (child_id, organisation_id, line1, town, postcode, from_date, confidential)
       SELECT id, lead_org, (1 + pg_temp.h(n, 60, 200))::text || ' ' || ($1::text[])[1 + pg_temp.h(n, 61, cardinality($1::text[]))],
              ($2::text[])[1 + pg_temp.h(n, 62, cardinality($2::text[]))],
              'NT' || (1 + pg_temp.h(n, 63, 20))::text || ' ' || (1 + pg_temp.h(n, 64, 9))::text || 'AB',
              dob + pg_temp.h(n, 65, 365), pg_temp.h(n, 66, 100) < 2
         FROM gen WHERE pg_temp.h(n, 67, 10) < 6`,
      [STREETS, TOWNS],
    );
    await client.query(
      `INSERT INTO case_team_member (child_id, user_id) SELECT id, ($1::uuid[])[lead] FROM gen WHERE restricted`,
      [userIds],
    );
    await client.query('COMMIT');
    log(`children ${from}-${to} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  // The load ran with triggers off (replica role): fill the name index the triggers keep.
  {
    const t0 = Date.now();
    const filled = await client.query(
      `INSERT INTO child_search (involvement_id, child_id, organisation_id, from_at, until_at, restricted, search_name)
       SELECT i.id, i.child_id, i.organisation_id, i.from_at, i.until_at, c.restricted, c.search_name
         FROM involvement i JOIN child c ON c.id = i.child_id
        WHERE NOT EXISTS (SELECT 1 FROM child_search s WHERE s.involvement_id = i.id)`,
    );
    log(`name index: ${filled.rowCount} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  for (const ix of indexes.rows) {
    const t0 = Date.now();
    await client.query(ix.def);
    log(`rebuilt ${ix.name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  await client.query(`RESET session_replication_role`);
  // The foreign keys the load did not check: none may be broken.
  const orphans = await client.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM involvement i WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = i.child_id))
          + (SELECT count(*) FROM chronology_entry e WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = e.child_id))
          + (SELECT count(*) FROM involvement i WHERE NOT EXISTS (SELECT 1 FROM organisation o WHERE o.id = i.organisation_id))
          AS n`,
  );
  if (orphans.rows[0].n !== '0') throw new Error(`generator bug: ${orphans.rows[0].n} rows without their parent`);
  const t0 = Date.now();
  await client.query(`ANALYZE child, involvement, chronology_entry, child_address, case_team_member, child_search`);
  log(`ANALYZE in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await checkNames(client);
  log(`generated ${n} children in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The normalised names must be what the application computes (names.ts), or search would lie. */
async function checkNames(client: Client): Promise<void> {
  const sample = await client.query<{
    given_name: string;
    family_name: string;
    preferred_name: string | null;
    previous_names: string[];
    search_name: string;
    name_key: string;
  }>(
    `(SELECT given_name, family_name, preferred_name, previous_names, search_name, name_key FROM child
       WHERE search_name <> (given_name || ' ' || family_name) LIMIT 3000)
     UNION ALL
     (SELECT given_name, family_name, preferred_name, previous_names, search_name, name_key FROM child LIMIT 1000)`,
  );
  const wrong = sample.rows.filter(
    (r) =>
      r.search_name !==
        searchNameOf({
          givenName: r.given_name,
          familyName: r.family_name,
          preferredName: r.preferred_name,
          previousNames: r.previous_names,
        }) || r.name_key !== nameKeyOf({ givenName: r.given_name, familyName: r.family_name }),
  );
  if (wrong.length > 0) {
    throw new Error(
      `search_name/name_key differ from names.ts for ${wrong.length} rows, e.g. ${JSON.stringify(wrong[0])}`,
    );
  }
}

export async function generatedCount(client: Client): Promise<number | null> {
  const meta = await client
    .query<{ value: string }>(`SELECT value FROM bench_meta WHERE key = 'generated_children'`)
    .catch(() => ({ rows: [] as { value: string }[] }));
  return meta.rows.length ? Number(meta.rows[0].value) : null;
}

export async function markGenerated(client: Client, n: number): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)`);
  await client.query(
    `INSERT INTO bench_meta (key, value) VALUES ('generated_children', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(n)],
  );
}
