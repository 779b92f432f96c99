/**
 * The CIN census benchmark (issue 13's measure: the census of a council with 20,000 children in
 * need in under 30 s). Seeds a bench database with the demo world and a generated council year
 * (`npm run seed -- --council-year --cases N`), then produces the census in-process the way the API
 * and `npm run returns:cin-census` do (load in set-based statements, validate, write the XML),
 * RUNS times, and reports each step's time. Also times Annex A lists 1-7 over the same data.
 *
 *   npm run bench:census
 *
 * Environment: N (children in need in the year, default 20000: `--council-year --children N`, so
 * a little more cases, as some children are referred twice), RUNS (3), PG_URL
 * (postgres://postgres@127.0.0.1:5432), BENCH_DB (bench_census). The database is reused when its
 * council already has at least N children with a case in the year (REUSE=0 to rebuild).
 */
import { DataSource } from 'typeorm';
import { returnIdentifiersOf } from '@app/children';
import {
  ANNEX_A_LIST_NUMBERS,
  annexAReadsWith,
  buildAnnexA,
  buildCensusXml,
  censusStructureErrors,
  loadAnnexA,
  loadCensus,
  validateCensus,
} from '@app/childrens-services';
import { buildDataSourceOptions } from '@app/platform';
import { SCHEMA } from '../migrations/schema';
import { lastEndedYear } from '../apps/api/src/seed/council-year';
import { assertBenchDb, databaseExists, int, log, machine, recreateSeeded, round, runNode, withClient } from './common';

const env = process.env;
const cfg = {
  n: int('N', 20_000),
  runs: int('RUNS', 3),
  pgUrl: env.PG_URL || 'postgres://postgres@127.0.0.1:5432',
  db: env.BENCH_DB || 'bench_census',
  reuse: env.REUSE !== '0',
};
const TARGET_S = 30;

/** The children with a case in the collection year (what the census will hold). */
async function childrenInNeed(url: string, year: number): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query(
      `SELECT count(DISTINCT child_id)::int AS n FROM cs_case
        WHERE referral_date <= $2 AND (closure_date IS NULL OR closure_date >= $1)`,
      [`${year - 1}-04-01`, `${year}-03-31`],
    );
    return Number(rows[0].n);
  });
}

async function main(): Promise<void> {
  assertBenchDb(cfg.db);
  const url = `${cfg.pgUrl}/${cfg.db}`;
  const year = lastEndedYear(new Date().toISOString().slice(0, 10));
  if (!(cfg.reuse && (await databaseExists(cfg.pgUrl, cfg.db)) && (await childrenInNeed(url, year)) >= cfg.n)) {
    log(`seeding ${cfg.db}: the demo world and a council year of ${cfg.n} children in need`);
    const seeded = performance.now();
    await recreateSeeded(cfg.pgUrl, cfg.db);
    await runNode(
      [
        'scripts/run.js',
        'apps/api/src/cli/seed.js',
        '--council-year',
        '--children',
        String(cfg.n),
        '--year',
        String(year),
      ],
      { DATABASE_URL: url, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
    );
    log(`seeded in ${round((performance.now() - seeded) / 1000)} s (the demo world, migrations and the year)`);
  }
  await withClient(url, (c) => c.query('VACUUM ANALYZE'));
  const ds = await new DataSource(
    buildDataSourceOptions(url, SCHEMA, { poolMax: 2, applicationName: 'bench-census' }),
  ).initialize();
  try {
    const [{ id: org }] = (await ds.query("SELECT id FROM organisation WHERE code = 'NSC'")) as { id: string }[];
    const figures: { load: number; validate: number; xml: number; total: number; children: number; bytes: number }[] =
      [];
    for (let run = 1; run <= cfg.runs; run++) {
      const t0 = performance.now();
      const { children, t1 } = await ds.transaction('REPEATABLE READ', async (tx) => ({
        children: await loadCensus(tx, org!, year, returnIdentifiersOf),
        t1: performance.now(),
      }));
      const errors = validateCensus(children, year);
      const t2 = performance.now();
      const xml = buildCensusXml(children, { year, la: 'NSC', generatedAt: new Date() });
      const t3 = performance.now();
      if (errors.length)
        log(`run ${run}: ${errors.length} validation errors (first: ${errors[0]!.rule} ${errors[0]!.message})`);
      if (run === 1) {
        const structure = censusStructureErrors(xml);
        if (structure.length) log(`structure: ${structure.length} departures (first: ${structure[0]})`);
      }
      figures.push({
        load: (t1 - t0) / 1000,
        validate: (t2 - t1) / 1000,
        xml: (t3 - t2) / 1000,
        total: (t3 - t0) / 1000,
        children: children.length,
        bytes: xml.length,
      });
      log(
        `run ${run}: ${children.length} children, load ${round((t1 - t0) / 1000)} s, validate ${round((t2 - t1) / 1000)} s, ` +
          `XML ${round((t3 - t2) / 1000)} s (${Math.round(xml.length / 1024)} KiB), total ${round((t3 - t0) / 1000)} s`,
      );
    }
    const best = Math.min(...figures.map((f) => f.total));
    const worst = Math.max(...figures.map((f) => f.total));
    log(
      `census of ${figures[0]!.children} children: best ${round(best)} s, worst ${round(worst)} s ` +
        `(target < ${TARGET_S} s: ${worst < TARGET_S ? 'met' : 'MISSED'})`,
    );
    for (const list of ANNEX_A_LIST_NUMBERS) {
      const t0 = performance.now();
      const loaded = await ds.transaction('REPEATABLE READ', (tx) =>
        loadAnnexA(tx, org!, list, `${year}-03-31`, annexAReadsWith(returnIdentifiersOf)),
      );
      const csv = buildAnnexA(loaded);
      log(
        `Annex A list ${list}: ${loaded.rows.length} rows, ${Math.round(csv.length / 1024)} KiB, ${round((performance.now() - t0) / 1000)} s`,
      );
    }
    log(`machine: ${JSON.stringify(machine())}`);
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
