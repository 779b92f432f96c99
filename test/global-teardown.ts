import './support/register-paths';
import type { EmbeddedPostgres } from '@app/platform';
import { dropRunDatabase } from './support/database';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  for (const key of ['__dropRunDatabase', '__dropWebDatabase']) {
    const runUrl = g[key] as string | undefined;
    if (runUrl && process.env.DATABASE_URL) await dropRunDatabase(process.env.DATABASE_URL, runUrl);
  }
  for (const key of ['__embeddedPostgres', '__embeddedWebPostgres']) {
    await (g[key] as EmbeddedPostgres | undefined)?.stop();
  }
}
