import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
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

  // One JSON object a line, like the API's logs (npm start makes them readable in a terminal).
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, databaseUrl), {
    logger: new ConsoleLogger({ json: true, colors: false, logLevels: nestLevels(config.logLevel) }),
  });
  const shutdown = async (): Promise<void> => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  console.log(JSON.stringify({ level: 'info', msg: 'Worker running' }));
}

function nestLevels(level: string): ('fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose')[] {
  const order = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  const upTo = { silent: -1, fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 }[level] ?? 3;
  return order.slice(0, upTo + 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : err);
  process.exit(1);
});
