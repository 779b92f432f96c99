import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  AppLogger,
  buildDataSourceOptions,
  ConfigError,
  createRootLogger,
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

  // The API's logger: one pino JSON object a line, the same fields and levels (npm start makes
  // them readable in a terminal).
  const root = createRootLogger(config.logLevel);
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, databaseUrl), {
    logger: new AppLogger(root),
  });
  const shutdown = async (): Promise<void> => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  root.info('Worker running');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : err);
  process.exit(1);
});
