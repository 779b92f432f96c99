import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { AuditService } from '@app/audit';
import { returnIdentifiersOf } from '@app/children';
import { buildCensusXml, loadCensus, validateCensus } from '@app/childrens-services';
import { runMigrationsLocked } from '@app/platform';
import { fail, openDatabase } from './database';
import { parseArgs, returnsActor } from './returns-actor';

/**
 * `npm run returns:cin-census -- --year 2026 --la NSC --as <performance officer's email> [--out FILE]`:
 * the council's CIN census XML on standard output (or to FILE), or the validation errors on standard
 * error (exit 2). `--as` names the accountable performance officer of that council: the return is
 * child-level data, and every child it names goes on their access log in that person's name.
 */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const year = Number(args.get('year'));
  const la = args.get('la');
  const as = args.get('as');
  if (!Number.isInteger(year) || year < 2000 || !la || !as) {
    fail('usage: npm run returns:cin-census -- --year 2026 --la <organisation code> --as <email> [--out FILE]');
  }
  const { ds, close } = await openDatabase();
  try {
    await runMigrationsLocked(ds);
    const xml = await ds.transaction('REPEATABLE READ', async (tx) => {
      const actor = await returnsActor(tx, as, la);
      const children = await loadCensus(tx, actor.organisationId, year, returnIdentifiersOf);
      const errors = validateCensus(children, year);
      await new AuditService(ds).record(tx, {
        actor,
        action: 'cin_census.export',
        subjectType: 'StatutoryReturn',
        subjectIds: children.map((c) => c.episodes[0]!.caseId),
        childIds: children.map((c) => c.childId),
        outcome: 'allowed',
        purpose: 'statutory_return',
        details: { year, children: children.length, errors: errors.length, via: 'cli' },
        at: new Date(),
      });
      if (errors.length) {
        for (const e of errors) console.error(`${e.rule}\t${e.laChildId ?? e.childId}\t${e.message}`);
        return null;
      }
      return buildCensusXml(children, { year, la: la!, generatedAt: new Date() });
    });
    if (xml === null) {
      process.exitCode = 2;
      return;
    }
    const out = args.get('out');
    if (out) writeFileSync(out, xml);
    else process.stdout.write(xml);
  } finally {
    await close();
  }
}

main().catch(fail);
