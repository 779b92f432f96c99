import 'reflect-metadata';
import { DataSource } from 'typeorm';
import {
  buildDataSourceOptions,
  ConfigError,
  type EmbeddedPostgres,
  loadConfig,
  runMigrationsLocked,
  startEmbeddedPostgres,
} from '@app/platform';
import { SCHEMA } from '../../../migrations/schema';
import { createApp } from './create-app';
import { seedDemoChildren } from './seed/demo-children';
import { seedDemoSchoolsAndHealth } from './seed/demo-schools-health';
import { seedDemoWorld } from './seed/demo-world';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres(config.embeddedDbDir);
    databaseUrl = embedded.url;
    console.log(
      JSON.stringify({ level: 'warn', msg: `Embedded PostgreSQL (development only) in ${config.embeddedDbDir}` }),
    );
  }
  if (config.dataEncryptionKeyIsDevelopment) {
    console.log(
      JSON.stringify({ level: 'warn', msg: 'DATA_ENCRYPTION_KEY is not set: stored secrets use the development key' }),
    );
  }
  if (config.jwtSecretGenerated) {
    console.log(
      JSON.stringify({ level: 'warn', msg: 'JWT_SECRET is not set: using a random secret for this process' }),
    );
  }

  // Migrations run before the app takes traffic, under a lock shared with the worker.
  const ds = await new DataSource(buildDataSourceOptions(databaseUrl, SCHEMA, { poolMax: 2 })).initialize();
  const applied = await runMigrationsLocked(ds);
  if (applied.length) console.log(JSON.stringify({ level: 'info', msg: 'Migrations applied', migrations: applied }));
  if (config.seedDemo) {
    await seedDemoWorld(ds, config.demoPassword, { onlyIfEmpty: true });
    await seedDemoChildren(ds);
    await seedDemoSchoolsAndHealth(ds);
  }
  await ds.destroy();

  const app = await createApp({ config, databaseUrl });
  const shutdown = async (): Promise<void> => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  await app.listen(config.port, '0.0.0.0');
  console.log(JSON.stringify({ level: 'info', msg: `API listening on :${config.port}; docs at /docs` }));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(err instanceof Error ? err.stack : err);
  }
  process.exit(1);
});
