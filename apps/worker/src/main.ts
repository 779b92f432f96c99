import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
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
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    // Joins the API's embedded server when one is running; starts its own otherwise.
    embedded = await startEmbeddedPostgres(config.embeddedDbDir);
    databaseUrl = embedded.url;
  }
  const ds = await new DataSource(buildDataSourceOptions(databaseUrl, SCHEMA, { poolMax: 2 })).initialize();
  await runMigrationsLocked(ds);
  await ds.destroy();

  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, databaseUrl));
  const shutdown = async (): Promise<void> => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  console.log(JSON.stringify({ level: 'info', msg: 'Worker running' }));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : err);
  process.exit(1);
});
