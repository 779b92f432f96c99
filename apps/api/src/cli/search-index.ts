import 'reflect-metadata';
import { checkSearchIndex } from '@app/children';
import { fail, openDatabase } from './database';

/**
 * `npm run search-index:check [-- --repair]`: compares the name index (child_search) with the
 * involvements and children it mirrors. Prints `OK` (exit 0), or what differs (exit 1; with
 * --repair, rewrites it and exits 0).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repair = args.includes('--repair');
  if (args.some((a) => a !== '--repair')) throw new TypeError('usage: search-index:check [--repair]');
  const { ds, close } = await openDatabase();
  try {
    const report = await checkSearchIndex(ds, { repair });
    if (report.missing + report.stale === 0) {
      console.log('OK: the name index matches every involvement');
    } else {
      console.log(
        `${report.missing} involvements missing from the name index, ${report.stale} index rows out of date` +
          (report.repaired ? ': repaired' : ' (run with --repair to rewrite them)'),
      );
      if (!report.repaired) process.exitCode = 1;
    }
  } finally {
    await close();
  }
}

main().catch(fail);
