import 'reflect-metadata';
// Jest applies moduleNameMapper to test files only; global setup resolves @app/* itself.
import './support/register-paths';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrationsLocked, startEphemeralPostgres } from '@app/platform';
import { seedDemoChildren } from '../apps/api/src/seed/demo-children';
import { seedDemoWorld } from '../apps/api/src/seed/demo-world';
import { SCHEMA } from '../migrations/schema';
import { createRunDatabase } from './support/database';

export const DEMO_PASSWORD = 'demo-password';

/**
 * Two databases for the whole run (the API's tests', the browser tests'): each a fresh one beside
 * DATABASE_URL (a real PostgreSQL), or an in-memory embedded PostgreSQL when DATABASE_URL is unset.
 * Migrated and seeded once.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_DATABASE_URL = await runDatabase('__dropRunDatabase', '__embeddedPostgres');
  // The web service's browser tests change the demo world as people do (refer a child, accept,
  // break glass): they get a database of their own, so the API's tests keep the world they expect.
  process.env.TEST_WEB_DATABASE_URL = await runDatabase('__dropWebDatabase', '__embeddedWebPostgres');
}

async function runDatabase(dropKey: string, embeddedKey: string): Promise<string> {
  let url: string;
  if (process.env.DATABASE_URL) {
    url = await createRunDatabase(process.env.DATABASE_URL);
    (globalThis as Record<string, unknown>)[dropKey] = url;
  } else {
    const embedded = await startEphemeralPostgres();
    (globalThis as Record<string, unknown>)[embeddedKey] = embedded;
    url = embedded.url;
  }
  const ds = await new DataSource(buildDataSourceOptions(url, SCHEMA, { poolMax: 2 })).initialize();
  try {
    await runMigrationsLocked(ds);
    await seedDemoWorld(ds, DEMO_PASSWORD, { clientSecret: 'demo-client-secret' });
    await seedDemoChildren(ds);
  } finally {
    await ds.destroy();
  }
  return url;
}
