/**
 * The referrals benchmark: referral submission (`POST /referrals`) and the MASH inbox
 * (`GET /referrals/inbox`) through the full stack, with R referrals in the database. See bench/README.md.
 *
 *   npm run build && node scripts/run.js bench/referrals.js
 *
 * Environment: N (generated children, default 20000), R (referrals, 100000), SCENARIOS
 * (inbox,inbox-organisation,inbox-overdue,submit), CONNECTIONS (32, for the inbox),
 * SUBMIT_CONNECTIONS (8,32), DURATION (20 s), WARMUP (5 s), PG_URL (postgres://postgres@127.0.0.1:5432),
 * BENCH_DB (bench_referrals), DB_POOL_MAX (10), API_PORT (3110), EXPLAIN=0 to skip the plans,
 * QUIET_CORES (0.3) and QUIET_TIMEOUT (180 s) as in run.ts.
 *
 * The submissions are deleted again at the end (with their transitions, notifications and
 * idempotency records; audit events are append-only and stay), so a reused database keeps R.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import type { Client } from 'pg';
import { AbilityFactory, abilityToSql } from '@app/access';
import { childHiddenField } from '@app/children';
import type { Actor, OrganisationType } from '@app/platform';
import {
  BENCH_DATA_KEY,
  assertBenchDb,
  benchPids,
  databaseExists,
  int,
  loadFigures,
  type LoadFigures,
  loadRun,
  log,
  login,
  machine,
  markdownTable,
  recreateSeeded,
  ROOT,
  startServer,
  stopServers,
  withClient,
} from './common';
import { type CpuWindow, startCpuWindow, waitForQuiet } from './cpu';
import { generate, generatedCount, markGenerated, MAX_N } from './data';
import { generatedReferrals, generateReferrals, markGeneratedReferrals, MAX_REFERRALS } from './referral-data';

const env = process.env;
const list = (name: string, fallback: string) =>
  (env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const cfg = {
  n: int('N', 20_000),
  r: int('R', 100_000),
  connections: int('CONNECTIONS', 32),
  submitConnections: list('SUBMIT_CONNECTIONS', '8,32').map(Number),
  duration: int('DURATION', 20),
  warmup: int('WARMUP', 5),
  pool: int('DB_POOL_MAX', 10),
  apiPort: int('API_PORT', 3110),
  pgUrl: (env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, ''),
  db: env.BENCH_DB ?? 'bench_referrals',
  sender: 'dsl@riverside-academy.example',
  receiver: 'mash.officer@northshire-council.example',
  password: env.DEMO_PASSWORD ?? 'demo-password',
  scenarios: list('SCENARIOS', 'inbox,inbox-organisation,inbox-overdue,submit'),
  explain: env.EXPLAIN !== '0',
  jwtSecret: env.JWT_SECRET ?? 'bench-only-secret-0123456789abcdef0123456789',
  quietCores: Number(env.QUIET_CORES ?? 0.3),
  quietTimeout: int('QUIET_TIMEOUT', 180),
};
const dbUrl = (name = cfg.db): string => `${cfg.pgUrl}/${name}`;
/** Marks this benchmark's submissions, so they can be deleted afterwards. */
const MARK = '[bench-referrals]';

const INBOX: Record<string, { title: string; query: string }> = {
  inbox: { title: 'GET /referrals/inbox (my team)', query: '' },
  'inbox-organisation': { title: 'GET /referrals/inbox?scope=organisation', query: '?scope=organisation' },
  'inbox-overdue': { title: 'GET /referrals/inbox?overdue=true', query: '?overdue=true' },
};

interface Measured extends LoadFigures {
  scenario: string;
  title: string;
  connections: number;
  cpu: CpuWindow;
  quietBefore: boolean;
  /** Submissions only: rows written during the measured run (and the warm-up before it). */
  written?: Record<string, number>;
}

async function ensureData(): Promise<{ generatedSeconds: number | null }> {
  assertBenchDb(cfg.db);
  if (cfg.n < 1 || cfg.n > MAX_N) throw new Error(`N must be 1 to ${MAX_N}`);
  if (cfg.r < 1 || cfg.r > MAX_REFERRALS) throw new Error(`R must be 1 to ${MAX_REFERRALS}`);
  if (await databaseExists(cfg.pgUrl, cfg.db)) {
    const [children, referrals] = await withClient(dbUrl(), async (c) => [
      await generatedCount(c),
      await generatedReferrals(c),
    ]);
    if (children === cfg.n && referrals === cfg.r) {
      log(`database ${cfg.db} already holds ${cfg.n} children and ${cfg.r} referrals: reusing it`);
      return { generatedSeconds: null };
    }
    log(`database ${cfg.db} holds ${children ?? 'no'} children / ${referrals ?? 'no'} referrals: recreating it`);
  }
  const started = Date.now();
  await recreateSeeded(cfg.pgUrl, cfg.db);
  await withClient(dbUrl(), async (c) => {
    await generate(c, cfg.n, (m) => log(m));
    await markGenerated(c, cfg.n);
    await generateReferrals(c, cfg.r, (m) => log(m));
    await markGeneratedReferrals(c, cfg.r);
  });
  return { generatedSeconds: Math.round((Date.now() - started) / 1000) };
}

/** The same rows counted before and after the submissions: what one submission writes. */
const WRITE_COUNTS = `SELECT (SELECT count(*) FROM referral)::int AS referral,
  (SELECT count(*) FROM referral_transition)::int AS referral_transition,
  (SELECT count(*) FROM notification)::int AS notification,
  (SELECT count(*) FROM deadline)::int AS deadline,
  (SELECT count(*) FROM audit_event)::int AS audit_event,
  (SELECT count(*) FROM idempotency_record)::int AS idempotency_record`;

async function counts(): Promise<Record<string, number>> {
  return withClient(dbUrl(), async (c) => (await c.query(WRITE_COUNTS)).rows[0] as Record<string, number>);
}

async function measure(
  scenario: string,
  title: string,
  connections: number,
  makeRequests: () => autocannon.Request[],
  token: string,
): Promise<Measured> {
  const quietBefore = await waitForQuiet(cfg.quietCores, cfg.quietTimeout * 1000);
  if (!quietBefore) log(`the machine stayed busy for ${cfg.quietTimeout} s before ${scenario}: running anyway`);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const before = scenario.startsWith('submit') ? await counts() : undefined;
  if (cfg.warmup > 0) {
    await loadRun({ port: cfg.apiPort, connections, seconds: cfg.warmup, headers, requests: makeRequests() });
  }
  const pids = await benchPids(cfg.pgUrl, cfg.db);
  const cpuWindow = startCpuWindow(() => pids);
  const { result, latencies } = await loadRun({
    port: cfg.apiPort,
    connections,
    seconds: cfg.duration,
    headers,
    requests: makeRequests(),
  });
  const cpu = cpuWindow();
  let written: Record<string, number> | undefined;
  if (before) {
    const after = await counts();
    written = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
  }
  const m: Measured = {
    scenario,
    title,
    connections,
    cpu,
    quietBefore,
    written,
    ...loadFigures(result, latencies, cfg.duration),
  };
  log(
    `${scenario} (${connections} conn): ${m.reqPerSec} req/s, p50 ${m.p50} ms, p95 ${m.p95} ms, p99 ${m.p99} ms, ` +
      `CPU ${cpu.busyCores} cores (bench ${cpu.benchCores}, other ${cpu.otherCores})` +
      (m.non2xx || m.errors ? `, NON-2XX ${m.non2xx}, errors ${m.errors}` : '') +
      (written ? `, written ${JSON.stringify(written)}` : ''),
  );
  return m;
}

/** A referral body as a school DSL sends one: an unidentified child, consent or a lawful basis. */
function submissionRequests(teamId: string): () => autocannon.Request[] {
  let seq = 0;
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const rags = ['RED', 'AMBER', 'GREEN'];
  return () => [
    {
      method: 'POST',
      path: '/api/v1/referrals',
      setupRequest: (req) => {
        const i = seq++;
        const consent = i % 3 !== 0;
        const body = {
          toTeamId: teamId,
          subject: {
            givenName: ['Amelia', 'Noah', 'Zofia', 'Kwame', 'Aoife', 'Yusuf'][i % 6],
            familyName: ['Smith', 'Nowak', 'Okafor', "O'Brien", 'Hussain', 'Jones'][(i >> 1) % 6],
            dateOfBirth: `20${10 + (i % 12)}-0${1 + (i % 9)}-1${i % 10}`,
            school: 'Riverside Academy',
          },
          reason: `${MARK} Disclosed to a teacher that an older boy asks her to carry parcels; request ${i}.`,
          rag: rags[i % 3],
          immediateDanger: i % 50 === 0,
          consentObtained: consent,
          ...(consent
            ? {}
            : {
                noConsentReason: 'Seeking consent would place the child at increased risk.',
                lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
              }),
        };
        return {
          ...req,
          headers: { ...req.headers, 'idempotency-key': `bench-${run}-${i}` },
          body: JSON.stringify(body),
        };
      },
    },
  ];
}

async function actorOf(c: Client, email: string): Promise<Actor> {
  const r = await c.query<{
    id: string;
    organisation_id: string;
    type: OrganisationType;
    team_id: string;
    roles: string[];
  }>(
    `SELECT u.id, u.organisation_id, o.type, u.team_id, u.roles FROM app_user u JOIN organisation o ON o.id = u.organisation_id
      WHERE u.email = $1`,
    [email],
  );
  const u = r.rows[0];
  if (!u) throw new Error(`no user ${email}`);
  return {
    kind: 'user',
    id: u.id,
    organisationId: u.organisation_id,
    organisationType: u.type,
    teamId: u.team_id,
    roles: u.roles,
    scopes: [],
  };
}

/** REFERRAL_COLUMNS and REFERRAL_FROM of libs/referrals/src/referrals.repository.ts, copied: keep in step with it. */
const REFERRAL_COLUMNS = `
  r.id, r.status, r.child_id AS "childId", r.reason, r.rag, r.immediate_danger AS "immediateDanger",
  r.consent_obtained AS "consentObtained", r.no_consent_reason AS "noConsentReason", r.lawful_basis AS "lawfulBasis",
  r.decline_reason AS "declineReason", r.triage_rag AS "triageRag", r.outcome, r.outcome_reason AS "outcomeReason",
  r.decided_at AS "decidedAt", r.due_at AS "dueAt", r.version, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
  r.urgency, r.from_organisation_id AS "fromOrganisationId", r.to_organisation_id AS "toOrganisationId",
  json_build_object('id', fo.id, 'name', fo.name) AS "from",
  json_build_object('id', tor.id, 'name', tor.name) AS "to",
  json_build_object('id', tt.id, 'name', tt.name) AS "toTeam",
  json_build_object('givenName', r.subject_given_name, 'familyName', r.subject_family_name,
    'dateOfBirth', to_char(r.subject_date_of_birth, 'YYYY-MM-DD'), 'approximateAge', r.subject_approximate_age,
    'address', r.subject_address, 'school', r.subject_school) AS subject,
  (r.due_at IS NOT NULL AND r.due_at < :now AND r.status IN ('SUBMITTED', 'ACKNOWLEDGED')) AS overdue`;
const REFERRAL_FROM = `referral r
  JOIN organisation fo ON fo.id = r.from_organisation_id
  JOIN organisation tor ON tor.id = r.to_organisation_id
  JOIN team tt ON tt.id = r.to_team_id`;

/** `:name` parameters to `$n` (as TypeORM's escapeQueryWithParameters does for PostgreSQL). */
function positional(sql: string, params: Record<string, unknown>): [string, unknown[]] {
  const values: unknown[] = [];
  const index = new Map<string, number>();
  const text = sql.replace(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no parameter ${name}`);
    if (!index.has(name)) {
      values.push(params[name]);
      index.set(name, values.length);
    }
    return `$${index.get(name)}`;
  });
  return [text, values];
}

/**
 * The inbox statement of ReferralsRepository.listPage(): the same WHERE clauses, scope from the real
 * policy (AbilityFactory + abilityToSql, columns by the entity's snake_case naming), order and limit.
 */
function inboxSql(actor: Actor, q: { scope?: string; overdue?: string }, now: Date): [string, unknown[]] {
  const ability = new AbilityFactory().for(actor);
  const snake = (p: string) => p.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  const scope = abilityToSql(
    ability,
    'read',
    'Referral',
    // childHiddenFrom (a restricted child hidden from those not on its case team) is children's SQL.
    (field) =>
      field === 'childHiddenFrom' ? childHiddenField('r.child_id') : { column: `"r"."${snake(field)}"`, array: false },
    'rf',
  );
  const params: Record<string, unknown> = { ...scope.params, org: actor.organisationId, now, limit: 51 };
  const where = [scope.sql, 'r.to_organisation_id = :org'];
  if (q.scope !== 'organisation' && actor.teamId) {
    where.push('r.to_team_id = :team');
    params.team = actor.teamId;
  }
  where.push(`r.status IN ('SUBMITTED', 'ACKNOWLEDGED')`);
  if (q.overdue === 'true') where.push(`r.status IN ('SUBMITTED', 'ACKNOWLEDGED') AND r.due_at < :now`);
  return positional(
    `SELECT ${REFERRAL_COLUMNS} FROM ${REFERRAL_FROM} WHERE ${where.join(' AND ')} ORDER BY r.urgency, r.due_at, r.id LIMIT :limit`,
    params,
  );
}

/** A candidate fix, tried inside a transaction that is rolled back (the schema is left as it was). */
const CANDIDATE_INDEXES = [
  `CREATE INDEX bench_ix_referral_inbox_team_open ON referral (to_team_id, urgency, due_at, id)
     WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
  `CREATE INDEX bench_ix_referral_inbox_org_open ON referral (to_organisation_id, urgency, due_at, id)
     WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
];

async function explain(actor: Actor): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const now = new Date();
  await withClient(dbUrl(), async (c) => {
    const shape = (
      await c.query<{ open: number; team_open: number; org: number }>(
        `SELECT count(*) FILTER (WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED'))::int AS open,
              count(*) FILTER (WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED') AND to_team_id = $2)::int AS team_open,
              count(*)::int AS org
         FROM referral WHERE to_organisation_id = $1`,
        [actor.organisationId, actor.teamId],
      )
    ).rows[0];
    out['rows (to the MASH officer organisation)'] = JSON.stringify(shape);
    for (const withFix of [false, true]) {
      for (const [name, q] of Object.entries({
        inbox: {},
        'inbox-organisation': { scope: 'organisation' },
        'inbox-overdue': { overdue: 'true' },
      })) {
        const [sql, values] = inboxSql(actor, q, now);
        let plan = { rows: [] as { 'QUERY PLAN': string }[] };
        await c.query('BEGIN');
        if (withFix) for (const ix of CANDIDATE_INDEXES) await c.query(ix);
        // Twice: the first run in a session pays for catalog look-ups; the second is the one shown.
        for (let i = 0; i < 2; i++) plan = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
        await c.query('ROLLBACK');
        out[`${name}${withFix ? ' WITH candidate partial indexes' : ''}`] = plan.rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      }
    }
    const [sql] = inboxSql(actor, {}, now);
    out['inbox SQL'] = sql;
  });
  return out;
}

/** Deletes this benchmark's submissions, so a reused database keeps exactly R referrals. */
async function cleanUp(senderId: string): Promise<number> {
  return withClient(dbUrl(), async (c) => {
    await c.query('BEGIN');
    const ids = await c.query<{ id: string }>(
      `DELETE FROM referral WHERE from_actor_id = $1 AND reason LIKE $2 RETURNING id`,
      [senderId, `${MARK}%`],
    );
    await c.query(`DELETE FROM notification WHERE subject_type = 'Referral' AND subject_id = ANY($1)`, [
      ids.rows.map((r) => r.id),
    ]);
    await c.query(`DELETE FROM deadline WHERE subject_type = 'Referral' AND subject_id = ANY($1)`, [
      ids.rows.map((r) => r.id),
    ]);
    await c.query(`DELETE FROM idempotency_record WHERE actor_id = $1 AND key LIKE 'bench-%'`, [senderId]);
    await c.query('COMMIT');
    await c.query('VACUUM ANALYZE referral, referral_transition, notification, deadline, idempotency_record');
    return ids.rowCount ?? 0;
  });
}

function table(results: Measured[]): string {
  const rows = [['scenario', 'conn', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed', 'other CPU']];
  for (const r of results) {
    rows.push([
      r.title,
      String(r.connections),
      String(r.reqPerSec),
      String(r.p50),
      String(r.p95),
      String(r.p99),
      String(r.max),
      String(r.non2xx + r.errors),
      `${r.cpu.otherCores}${r.quietBefore ? '' : ' (busy)'}`,
    ]);
  }
  return markdownTable(rows);
}

async function main(): Promise<void> {
  for (const s of cfg.scenarios) if (!INBOX[s] && s !== 'submit') throw new Error(`unknown scenario ${s}`);
  const data = await ensureData();
  const info = await withClient(dbUrl(), async (c) => {
    const r = await c.query(
      `SELECT (SELECT count(*) FROM child)::int AS children, (SELECT count(*) FROM involvement)::int AS involvements,
              (SELECT count(*) FROM referral)::int AS referrals, (SELECT count(*) FROM referral_transition)::int AS transitions,
              (SELECT count(*) FROM referral WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED'))::int AS open_referrals,
              (SELECT count(*) FROM audit_event)::int AS audit_events,
              pg_size_pretty(pg_database_size(current_database())) AS size, current_setting('server_version') AS pg,
              current_setting('shared_buffers') AS shared_buffers, current_setting('jit') AS jit`,
    );
    const team = await c.query<{ id: string }>(
      `SELECT t.id FROM team t JOIN organisation o ON o.id = t.organisation_id WHERE o.code = 'NSC' AND t.function = 'mash'`,
    );
    return {
      counts: r.rows[0] as Record<string, unknown>,
      mashTeam: team.rows[0].id,
      sender: await actorOf(c, cfg.sender),
      receiver: await actorOf(c, cfg.receiver),
    };
  });
  log(`data: ${JSON.stringify(info.counts)}`);

  await startServer('API', 'apps/api/src/main.js', cfg.apiPort, {
    NODE_ENV: 'production',
    DATA_ENCRYPTION_KEY: BENCH_DATA_KEY,
    JWT_SECRET: cfg.jwtSecret,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    CLIENT_RATE_LIMIT_PER_MINUTE: '1000000',
    DATABASE_URL: dbUrl(),
    DB_POOL_MAX: String(cfg.pool),
  });

  // Sanity: an inbox page, and one submission that replays with its key.
  const mash = await login(cfg.apiPort, cfg.receiver, cfg.password);
  const inboxRes = await fetch(`http://127.0.0.1:${cfg.apiPort}/api/v1/referrals/inbox`, {
    headers: { authorization: `Bearer ${mash}` },
  });
  const inboxPage = (await inboxRes.json()) as { data?: { urgency?: number; dueAt: string }[]; nextCursor?: string };
  if (inboxRes.status !== 200 || !inboxPage.data?.length || !inboxPage.nextCursor) {
    throw new Error(`inbox answered ${inboxRes.status} with ${inboxPage.data?.length ?? 0} referrals`);
  }
  log(`inbox: ${inboxPage.data.length} referrals on the first page, more behind a cursor`);
  const dsl = await login(cfg.apiPort, cfg.sender, cfg.password);
  const probe = submissionRequests(info.mashTeam)()[0];
  const built = probe.setupRequest!({ headers: {} }, {});
  const post = () =>
    fetch(`http://127.0.0.1:${cfg.apiPort}/api/v1/referrals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dsl}`, 'content-type': 'application/json', ...built.headers },
      body: built.body,
    });
  const first = await post();
  const again = await post();
  if (first.status !== 201) throw new Error(`submission answered ${first.status}: ${await first.text()}`);
  if (again.headers.get('idempotent-replayed') !== 'true') throw new Error('the same Idempotency-Key did not replay');
  log('submission: 201, and the same key replays');

  const results: Measured[] = [];
  let plans: Record<string, string> = {};
  for (const scenario of cfg.scenarios.filter((s) => INBOX[s])) {
    const token = await login(cfg.apiPort, cfg.receiver, cfg.password); // tokens live 15 minutes
    const path = `/api/v1/referrals/inbox${INBOX[scenario].query}`;
    results.push(
      await measure(scenario, INBOX[scenario].title, cfg.connections, () => [{ method: 'GET', path }], token),
    );
  }
  // The plans on the data the inbox runs saw, before the submissions add to it.
  if (cfg.explain) plans = await explain(info.receiver);
  if (cfg.scenarios.includes('submit')) {
    for (const connections of cfg.submitConnections) {
      const token = await login(cfg.apiPort, cfg.sender, cfg.password);
      results.push(
        await measure(
          `submit-${connections}`,
          'POST /referrals',
          connections,
          submissionRequests(info.mashTeam),
          token,
        ),
      );
    }
  }
  stopServers();
  const deleted = await cleanUp(info.sender.id);
  log(`deleted the ${deleted} referrals this run submitted`);

  const report = {
    at: new Date().toISOString(),
    config: { ...cfg, password: undefined, jwtSecret: undefined },
    machine: machine(),
    node: process.version,
    data: { ...info.counts, generatedSeconds: data.generatedSeconds },
    results,
    plans,
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `referrals-${cfg.r}-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nR=${cfg.r} referrals, N=${cfg.n} children, ${cfg.duration} s each (after ${cfg.warmup} s warm-up)`);
  console.log(table(results));
  for (const [name, plan] of Object.entries(plans)) console.log(`\nEXPLAIN ANALYZE ${name}\n${plan}`);
  console.log(`\nsaved ${file}`);
}

process.once('SIGINT', () => {
  stopServers();
  process.exit(130);
});
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  stopServers();
  process.exit(1);
});
