import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The PostgreSQL that keeps the sessions: DATABASE_URL, or the embedded server the API runs.
 * The API (or the worker) writes `<EMBEDDED_DB_DIR>/embedded.json` with the port of that server
 * (libs/platform's embedded-postgres.ts); the web reads the same file rather than importing the
 * API's libraries, and waits a little for it when started together with the API.
 */
export async function sessionDatabaseUrl(
  databaseUrl: string | undefined,
  embeddedDbDir: string,
  waitMs = 60_000,
): Promise<string> {
  if (databaseUrl) return databaseUrl;
  const pointerFile = join(resolve(embeddedDbDir), 'embedded.json');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const { port } = JSON.parse(readFileSync(pointerFile, 'utf8')) as { port: number };
      if (Number.isInteger(port) && port > 0) return `postgres://postgres@127.0.0.1:${port}/postgres`;
    } catch {
      // Not written yet: the API is still starting.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `No DATABASE_URL and no embedded database at ${pointerFile}: start the API first (npm start starts both).`,
      );
    }
    await sleep(250);
  }
}
