import { DataSource } from 'typeorm';
import { buildDataSourceOptions, type EmbeddedPostgres, loadConfig, startEmbeddedPostgres } from '@app/platform';
import { SCHEMA } from '../../../../migrations/schema';

/** Opens the configured database for a CLI command: DATABASE_URL, or the embedded one. */
export async function openDatabase(): Promise<{ ds: DataSource; close: () => Promise<void> }> {
  const config = loadConfig();
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    embedded = await startEmbeddedPostgres(config.embeddedDbDir);
    url = embedded.url;
  }
  const ds = await new DataSource(
    buildDataSourceOptions(url, SCHEMA, { poolMax: 2, applicationName: 'safeguarding-hub-cli' }),
  ).initialize();
  return {
    ds,
    close: async () => {
      await ds.destroy();
      await embedded?.stop();
    },
  };
}

export function fail(err: unknown): never {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
