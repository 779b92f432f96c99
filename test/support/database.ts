import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Refuses any database whose name lacks "test": the suite creates and drops databases. */
export function assertTestDatabase(url: string): URL {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!name.toLowerCase().includes('test')) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
  return parsed;
}

/** Creates a fresh database beside the one DATABASE_URL names, for this run only. */
export async function createRunDatabase(baseUrl: string): Promise<string> {
  const base = assertTestDatabase(baseUrl);
  const name = `${base.pathname.slice(1)}_run_${process.pid}_${randomBytes(3).toString('hex')}`.toLowerCase();
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropRunDatabase(baseUrl: string, runUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(runUrl).pathname.slice(1));
  assertTestDatabase(runUrl);
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
