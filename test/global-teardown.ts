import './support/register-paths';
import type { EmbeddedPostgres } from '@app/platform';
import { dropRunDatabase } from './support/database';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const runUrl = g.__dropRunDatabase as string | undefined;
  if (runUrl && process.env.DATABASE_URL) await dropRunDatabase(process.env.DATABASE_URL, runUrl);
  await (g.__embeddedPostgres as EmbeddedPostgres | undefined)?.stop();
}
