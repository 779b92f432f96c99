import 'reflect-metadata';
import { type AuditAnchor, AuditSealer, AuditVerifier, parseAnchor } from '@app/audit';
import { Clock } from '@app/platform';
import { fail, openDatabase } from './database';

/**
 * `npm run audit:verify [-- --anchor <sealSeq>:<hash> ...]`: seals what is pending, then walks the
 * whole hash chain, checking it against any anchors recorded outside the database (the worker
 * logs one at most once a minute: "Audit anchor <sealSeq>:<hash>").
 * Prints `OK: <n> events verified` and the current head to record (exit 0), or
 * `BROKEN at event <seq>: <reason>` (exit 1).
 */
async function main(): Promise<void> {
  const anchors: AuditAnchor[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--anchor' && args[i + 1] !== undefined) anchors.push(parseAnchor(args[++i]!));
    else throw new TypeError(`unknown argument ${args[i]} (usage: audit:verify [--anchor <sealSeq>:<hash>]...)`);
  }
  const { ds, close } = await openDatabase();
  try {
    const sealer = new AuditSealer(ds, new Clock());
    while ((await sealer.sealPending()) > 0) {
      // until nothing is left (or another sealer holds the lock: it is sealing them)
    }
    const verifier = new AuditVerifier(ds);
    const result = await verifier.verify(anchors);
    if (result.ok) {
      console.log(`OK: ${result.sealed} events verified${anchors.length ? `, ${anchors.length} anchors matched` : ''}`);
      if (result.unsealed > 0) console.log(`${result.unsealed} events not sealed yet`);
      const head = await verifier.head();
      if (head) console.log(`Head: ${head.sealSeq}:${head.hash} (record it outside the database)`);
    } else {
      const at = result.brokenAt.startsWith('seal') ? result.brokenAt : `event ${result.brokenAt}`;
      console.log(`BROKEN at ${at}: ${result.reason}`);
      process.exitCode = 1;
    }
  } finally {
    await close();
  }
}

main().catch(fail);
