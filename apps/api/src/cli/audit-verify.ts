import 'reflect-metadata';
import { AuditSealer, AuditVerifier } from '@app/audit';
import { Clock } from '@app/platform';
import { fail, openDatabase } from './database';

/**
 * `npm run audit:verify`: seals what is pending, then walks the whole hash chain.
 * Prints `OK: <n> events verified` (exit 0) or `BROKEN at event <seq>: <reason>` (exit 1).
 */
async function main(): Promise<void> {
  const { ds, close } = await openDatabase();
  try {
    const sealer = new AuditSealer(ds, new Clock());
    while ((await sealer.sealPending()) > 0) {
      // until nothing is left (or another sealer holds the lock: it is sealing them)
    }
    const result = await new AuditVerifier(ds).verify();
    if (result.ok) {
      console.log(`OK: ${result.sealed} events verified`);
      if (result.unsealed > 0) console.log(`${result.unsealed} events not sealed yet`);
    } else {
      console.log(`BROKEN at event ${result.brokenAt}: ${result.reason}`);
      process.exitCode = 1;
    }
  } finally {
    await close();
  }
}

main().catch(fail);
