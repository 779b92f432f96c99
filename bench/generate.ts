/**
 * Generates the bench children into an existing, migrated and seeded database:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_children N=100000 \
 *     node scripts/run.js bench/generate.js
 *
 * Refuses a database that already holds generated children (bench/run.js recreates its own
 * database when N changes). See data.ts for what is generated.
 */
import { Client } from 'pg';
import { generate, generatedCount, markGenerated } from './data';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const n = Number(process.env.N ?? 100_000);
  const client = new Client({ connectionString: url, application_name: 'bench-generate' });
  await client.connect();
  try {
    const existing = await generatedCount(client);
    if (existing !== null) throw new Error(`${existing} children already generated here; use a fresh database`);
    await generate(client, n);
    await markGenerated(client, n);
  } finally {
    await client.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
