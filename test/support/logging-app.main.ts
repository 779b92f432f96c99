import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@app/platform';
import { createApp } from '../../apps/api/src/create-app';

/**
 * The API in a process of its own with its request log on (LOG_LEVEL, default debug), for tests
 * that read what the logs say. Prints `{"port": n}` once listening.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL!;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'logging-secret-logging-secret-logging-0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'debug',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    DB_POOL_MAX: '4',
  });
  const app = await createApp({ config, databaseUrl });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
