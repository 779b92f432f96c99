/**
 * The referrals generator, used by bench/referrals.ts: R referrals (default 100,000) between the
 * demo organisations, in SQL (generate_series), with a referral_transition row for every step
 * each referral went through. Needs a migrated, seeded database with generated children (data.ts).
 *
 * Receivers: mostly the council MASH teams and the police CSE units (see DESTINATIONS). Statuses:
 * 30% open (SUBMITTED/ACKNOWLEDGED, due between 72 hours ago and 48 hours ahead), the rest
 * ACCEPTED/DECLINED/CLOSED (no due time, as applyTransition leaves them). RAG, triage RAG and
 * urgency as the service sets them (urgencyOf); consent or a lawful basis and a reason
 * (ck_referral_consent); 60% name a generated child, the rest only subject details. Each open
 * referral has its decision clock in the deadline table, as the service opens it.
 * Deterministic attributes (a hash of the row number); ids are random UUIDs.
 */
import { Client } from 'pg';
import { LAWFUL_BASES } from '@app/access';
import { FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M, STREETS, TOWNS } from './names';

export const MAX_REFERRALS = 1_000_000;

/** Receiving teams and their share of referrals, in percent. */
export const DESTINATIONS: [code: string, team: string, share: number][] = [
  ['NSC', 'MASH', 35],
  ['SSC', 'MASH', 20],
  ['NSP', 'CSE Unit', 18],
  ['SSP', 'CSE Unit', 12],
  ['NSC', 'Assessment Team', 5],
  ['NNHS', 'Safeguarding Team', 5],
  ['RVA', 'Safeguarding', 5],
];
/** Organisations that send referrals (any of them but the receiver). */
const SENDERS = ['NSC', 'SSC', 'NSP', 'SSP', 'NNHS', 'RVA'];

const REASONS = [
  'Older males collecting her from school; missing overnight twice this month.',
  'Disclosed to a teacher that an adult at home hits him with a belt.',
  'Found with a second phone and unexplained gifts; associating with known exploiters.',
  'Repeated missing episodes; found in another county with cash and drugs.',
  'Attended A&E with injuries inconsistent with the explanation given.',
  'Persistent neglect: hungry, unwashed, frequently absent from school.',
  'Domestic abuse incident at the home address; child present.',
  'Online grooming concern: sexual messages from an adult on a gaming platform.',
];
const NO_CONSENT_REASONS = [
  'Seeking consent would place the child at increased risk of significant harm.',
  'Parents could not be contacted and the matter is urgent.',
  'Consent sought would prejudice a police investigation.',
];
const ACCEPT_OUTCOMES = ['EARLY_HELP', 'S17_ASSESSMENT', 'STRATEGY_DISCUSSION', 'IMMEDIATE_PROTECTION'];
const DECLINE_OUTCOMES = ['NO_FURTHER_ACTION', 'ADVICE'];

const H = `CREATE OR REPLACE FUNCTION pg_temp.rh(n bigint, k int, m int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((hashint8($1 * 64 + $2 + 7919)::bigint + 2147483648) % $3)::int $$`;

type Log = (msg: string) => void;

export async function generateReferrals(client: Client, r: number, log: Log = console.log): Promise<void> {
  if (!Number.isInteger(r) || r < 1 || r > MAX_REFERRALS) throw new Error(`R must be 1 to ${MAX_REFERRALS}`);
  const t0 = Date.now();
  const orgs = await client.query<{ code: string; id: string; type: string; user_id: string }>(
    `SELECT o.code, o.id, o.type,
            (SELECT u.id FROM app_user u WHERE u.organisation_id = o.id ORDER BY u.email LIMIT 1) AS user_id
       FROM organisation o WHERE o.code = ANY($1)`,
    [SENDERS],
  );
  const byCode = new Map(orgs.rows.map((o) => [o.code, o]));
  for (const code of SENDERS)
    if (!byCode.get(code)?.user_id) throw new Error(`organisation ${code} missing: seed first`);
  const dest = await Promise.all(
    DESTINATIONS.map(async ([code, team]) => {
      const row = await client.query<{ id: string; user_id: string | null }>(
        `SELECT t.id, (SELECT u.id FROM app_user u WHERE u.team_id = t.id ORDER BY u.email LIMIT 1) AS user_id
           FROM team t WHERE t.organisation_id = $1 AND t.name = $2`,
        [byCode.get(code)!.id, team],
      );
      if (!row.rows[0]) throw new Error(`team ${code}/${team} missing`);
      return { code, teamId: row.rows[0].id, userId: row.rows[0].user_id ?? byCode.get(code)!.user_id };
    }),
  );
  const cumulative = DESTINATIONS.map((_, i) => DESTINATIONS.slice(0, i + 1).reduce((a, d) => a + d[2], 0));
  const destCase = `CASE ${cumulative.map((c, i) => `WHEN pg_temp.rh(n, 1, 100) < ${c} THEN ${i + 1}`).join(' ')} ELSE ${cumulative.length} END`;
  const senderIndex = (code: string) => SENDERS.indexOf(code) + 1;

  await client.query(H);
  await client.query(`SET synchronous_commit = off`);
  await client.query('BEGIN');
  await client.query(
    `CREATE TEMP TABLE kids ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY id) AS k, id, given_name, family_name, date_of_birth
         FROM child WHERE NOT restricted`,
  );
  const kids = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM kids')).rows[0].n);
  if (kids === 0) throw new Error('no children to refer: generate children first');
  // One row per referral with everything the referral and its transitions need.
  await client.query(
    `CREATE TEMP TABLE rgen ON COMMIT DROP AS
     SELECT n, gen_random_uuid() AS id, d, ($1::uuid[])[d] AS to_team, ($2::uuid[])[d] AS to_org, ($3::uuid[])[d] AS to_user,
            ($4::text[])[d] IN ('local_authority') AS council,
            s, ($5::uuid[])[s] AS from_org, ($6::uuid[])[s] AS from_user, ($7::text[])[s] AS from_code,
            CASE WHEN st < 15 THEN 'SUBMITTED' WHEN st < 30 THEN 'ACKNOWLEDGED' WHEN st < 60 THEN 'ACCEPTED'
                 WHEN st < 80 THEN 'DECLINED' ELSE 'CLOSED' END AS status,
            CASE WHEN pg_temp.rh(n, 4, 100) < 20 THEN 'RED' WHEN pg_temp.rh(n, 4, 100) < 65 THEN 'AMBER' ELSE 'GREEN' END AS rag,
            pg_temp.rh(n, 5, 100) < 3 AS danger,
            pg_temp.rh(n, 6, 100) < 70 AS consent,
            pg_temp.rh(n, 7, 100) < 60 AS named,
            CASE WHEN st < 30 THEN now() - pg_temp.rh(n, 8, 14 * 24 * 60) * interval '1 minute'
                 ELSE now() - (2 + pg_temp.rh(n, 8, 720)) * interval '1 day' - pg_temp.rh(n, 9, 1440) * interval '1 minute' END AS created,
            CASE WHEN st < 30 THEN now() + (pg_temp.rh(n, 10, 120 * 60) - 72 * 60) * interval '1 minute' END AS due
       FROM (SELECT n, ${destCase} AS d, pg_temp.rh(n, 3, 100) AS st FROM generate_series(1, $8::int) AS n) a,
            LATERAL (SELECT s FROM unnest($9::int[]) WITH ORDINALITY AS x(s, o)
                      WHERE s <> ($10::int[])[d] ORDER BY o OFFSET pg_temp.rh(n, 2, 5) LIMIT 1) f`,
    [
      dest.map((x) => x.teamId),
      dest.map((x) => byCode.get(x.code)!.id),
      dest.map((x) => x.userId),
      dest.map((x) => byCode.get(x.code)!.type),
      SENDERS.map((c) => byCode.get(c)!.id),
      SENDERS.map((c) => byCode.get(c)!.user_id),
      SENDERS,
      r,
      SENDERS.map((_, i) => i + 1),
      dest.map((x) => senderIndex(x.code)),
    ],
  );
  await client.query(
    `INSERT INTO referral (id, from_organisation_id, from_actor_id, to_organisation_id, to_team_id, child_id, reason, rag,
                           immediate_danger, consent_obtained, no_consent_reason, lawful_basis, status, decline_reason,
                           triage_rag, triaged_at, outcome, outcome_reason, decided_at, urgency, due_at, version,
                           created_at, updated_at, subject_given_name, subject_family_name, subject_date_of_birth,
                           subject_approximate_age, subject_address, subject_school)
     SELECT g.id, from_org, from_user, to_org, to_team, CASE WHEN named THEN k.id END,
            ($1::text[])[1 + pg_temp.rh(n, 20, cardinality($1::text[]))], rag, danger, consent,
            CASE WHEN NOT consent THEN ($2::text[])[1 + pg_temp.rh(n, 21, cardinality($2::text[]))] END,
            CASE WHEN NOT consent THEN ($3::text[])[1 + pg_temp.rh(n, 22, cardinality($3::text[]))] END,
            status,
            CASE WHEN status = 'DECLINED' THEN 'Threshold not met: ' || lower(o.outcome) END,
            t.triage_rag, CASE WHEN t.triage_rag IS NOT NULL THEN created + interval '2 hours' END,
            o.outcome, CASE WHEN o.outcome IS NOT NULL THEN 'Decision recorded after MASH checks.' END,
            CASE WHEN o.outcome IS NOT NULL THEN created + interval '1 day' END,
            CASE WHEN danger THEN 0 ELSE CASE coalesce(t.triage_rag, rag) WHEN 'RED' THEN 1 WHEN 'AMBER' THEN 2 ELSE 3 END END,
            due,
            CASE status WHEN 'SUBMITTED' THEN 1 WHEN 'ACKNOWLEDGED' THEN 2 WHEN 'CLOSED' THEN 4 ELSE 3 END,
            created, CASE WHEN status = 'SUBMITTED' THEN created ELSE created + interval '1 hour' END,
            CASE WHEN named THEN k.given_name ELSE ($4::text[])[1 + pg_temp.rh(n, 23, cardinality($4::text[]))] END,
            CASE WHEN named THEN k.family_name ELSE ($5::text[])[1 + pg_temp.rh(n, 24, cardinality($5::text[]))] END,
            CASE WHEN named THEN k.date_of_birth WHEN pg_temp.rh(n, 25, 2) = 0 THEN date '2008-01-01' + pg_temp.rh(n, 26, 5800) END,
            CASE WHEN NOT named THEN 3 + pg_temp.rh(n, 27, 14) END,
            CASE WHEN pg_temp.rh(n, 28, 100) < 50
                 THEN (1 + pg_temp.rh(n, 29, 200))::text || ' ' || ($6::text[])[1 + pg_temp.rh(n, 30, cardinality($6::text[]))]
                      || ', ' || ($7::text[])[1 + pg_temp.rh(n, 31, cardinality($7::text[]))] END,
            CASE WHEN from_code = 'RVA' THEN 'Riverside Academy' END
       FROM rgen g
       JOIN kids k ON k.k = 1 + pg_temp.rh(g.n, 32, $8::int)
       LEFT JOIN LATERAL (SELECT CASE WHEN council AND status <> 'SUBMITTED'
                                      THEN CASE WHEN pg_temp.rh(g.n, 33, 100) < 80 THEN rag
                                                ELSE (ARRAY['RED', 'AMBER', 'GREEN'])[1 + pg_temp.rh(g.n, 34, 3)] END END AS triage_rag) t ON true
       LEFT JOIN LATERAL (SELECT CASE WHEN council AND status IN ('ACCEPTED', 'CLOSED')
                                      THEN ($9::text[])[1 + pg_temp.rh(g.n, 35, cardinality($9::text[]))]
                                      WHEN council AND status = 'DECLINED'
                                      THEN ($10::text[])[1 + pg_temp.rh(g.n, 36, cardinality($10::text[]))] END AS outcome) o ON true`,
    [
      REASONS,
      NO_CONSENT_REASONS,
      LAWFUL_BASES.filter((b) => b !== 'CONSENT'),
      [...GIVEN_NAMES_F, ...GIVEN_NAMES_M],
      FAMILY_NAMES,
      STREETS,
      TOWNS,
      kids,
      ACCEPT_OUTCOMES,
      DECLINE_OUTCOMES,
    ],
  );
  // Every step the referral went through, as applyTransition records it.
  await client.query(
    `INSERT INTO referral_transition (referral_id, from_status, to_status, actor_id, organisation_id, reason, at)
     SELECT id, NULL, 'SUBMITTED', from_user, from_org, NULL, created FROM rgen
     UNION ALL
     SELECT id, 'SUBMITTED', 'ACKNOWLEDGED', to_user, to_org, NULL, created + interval '1 hour' FROM rgen WHERE status <> 'SUBMITTED'
     UNION ALL
     SELECT id, 'ACKNOWLEDGED', CASE WHEN status = 'DECLINED' THEN 'DECLINED' ELSE 'ACCEPTED' END, to_user, to_org,
            CASE WHEN status = 'DECLINED' THEN 'Threshold not met' END, created + interval '1 day'
       FROM rgen WHERE status IN ('ACCEPTED', 'DECLINED', 'CLOSED')
     UNION ALL
     SELECT id, 'ACCEPTED', 'CLOSED', to_user, to_org, NULL, created + (now() - created) / 2 FROM rgen WHERE status = 'CLOSED'`,
  );
  // The clock of every open referral, as the service opens it (the kernel's deadline table).
  await client.query(
    `INSERT INTO deadline (subject_type, subject_id, child_id, organisation_id, team_id, rule, due_at, state, opened_at)
     SELECT 'Referral', r.id, r.child_id, r.to_organisation_id, r.to_team_id, 'referral.decision', r.due_at, 'open', r.created_at
       FROM referral r JOIN rgen g ON g.id = r.id WHERE r.status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
  );
  await client.query('COMMIT');
  await client.query('ANALYZE referral, referral_transition, deadline');
  log(`generated ${r} referrals in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function generatedReferrals(client: Client): Promise<number | null> {
  const meta = await client
    .query<{ value: string }>(`SELECT value FROM bench_meta WHERE key = 'generated_referrals'`)
    .catch(() => ({ rows: [] as { value: string }[] }));
  return meta.rows.length ? Number(meta.rows[0].value) : null;
}

export async function markGeneratedReferrals(client: Client, r: number): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)`);
  await client.query(
    `INSERT INTO bench_meta (key, value) VALUES ('generated_referrals', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(r)],
  );
}
