import { startEphemeralPostgres } from '@app/platform';

/**
 * An in-memory embedded PostgreSQL in a process of its own (PGlite does not load inside a Jest
 * test file): prints `{"url": ...}` once listening, stops on SIGTERM.
 */
async function main(): Promise<void> {
  const embedded = await startEphemeralPostgres();
  process.stdout.write(`${JSON.stringify({ url: embedded.url })}\n`);
  process.once('SIGTERM', () => void embedded.stop().then(() => process.exit(0)));
}

void main();
