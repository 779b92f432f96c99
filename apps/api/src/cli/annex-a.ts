import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditService } from '@app/audit';
import { returnIdentifiersOf } from '@app/children';
import {
  ANNEX_A_LIST_NUMBERS,
  annexAFileName,
  type AnnexAList,
  annexAReadsWith,
  buildAnnexA,
  loadAnnexA,
} from '@app/childrens-services';
import { londonDateString, runMigrationsLocked } from '@app/platform';
import { fail, openDatabase } from './database';
import { parseArgs, returnsActor } from './returns-actor';

const USAGE =
  'usage: npm run returns:annex-a -- --la <organisation code> --as <email> [--at YYYY-MM-DD] ' +
  '[--list 1-7 [--out FILE]] [--dir DIR]';

/**
 * `npm run returns:annex-a -- --la NSC --as <performance officer's email> [--at 2026-03-31]`:
 * Ofsted's Annex A lists 1-7 of the council for the six months to `--at` (default today), as CSV
 * files in `--dir` (default the current directory), or one list (`--list 3`) on standard output or
 * to `--out FILE`. `--as` names the accountable performance officer: every child a list names goes
 * on their access log in that person's name, as through the API.
 */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const la = args.get('la');
  const as = args.get('as');
  const at = args.get('at') ?? londonDateString(new Date());
  const one = args.has('list') ? Number(args.get('list')) : null;
  if (!la || !as || !/^\d{4}-\d{2}-\d{2}$/.test(at) || Number.isNaN(Date.parse(at))) fail(USAGE);
  if (one !== null && !ANNEX_A_LIST_NUMBERS.includes(one as AnnexAList)) fail(`--list must be 1-7. ${USAGE}`);
  const lists = one === null ? ANNEX_A_LIST_NUMBERS : [one as AnnexAList];
  const { ds, close } = await openDatabase();
  try {
    await runMigrationsLocked(ds);
    const files = await ds.transaction('REPEATABLE READ', async (tx) => {
      const actor = await returnsActor(tx, as, la);
      const out: { list: AnnexAList; csv: string; rows: number }[] = [];
      for (const list of lists) {
        const loaded = await loadAnnexA(tx, actor.organisationId, list, at, annexAReadsWith(returnIdentifiersOf));
        await new AuditService(ds).record(tx, {
          actor,
          action: 'annex_a.export',
          subjectType: 'StatutoryReturn',
          subjectIds: loaded.items.map((i) => i.id),
          childIds: [...new Set(loaded.items.map((i) => i.childId).filter((x): x is string => !!x))],
          outcome: 'allowed',
          purpose: 'statutory_return',
          details: { list, at, rows: loaded.rows.length, via: 'cli' },
          at: new Date(),
        });
        out.push({ list, csv: buildAnnexA(loaded), rows: loaded.rows.length });
      }
      return out;
    });
    if (one !== null && !args.has('dir')) {
      const out = args.get('out');
      if (out) writeFileSync(out, files[0]!.csv);
      else process.stdout.write(files[0]!.csv);
      return;
    }
    const dir = args.get('dir') || '.';
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      const path = join(dir, annexAFileName(f.list, at));
      writeFileSync(path, f.csv);
      console.error(`${path}: ${f.rows} row(s)`);
    }
  } finally {
    await close();
  }
}

main().catch(fail);
