import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { type AppConfig, Clock, type HostResolver, loadConfig, ManualClock } from '@app/platform';
import { createApp } from '../../apps/api/src/create-app';

export const DEMO_PASSWORD = 'demo-password';

export interface TestContext {
  app: INestApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  clock: ManualClock;
  config: AppConfig;
  /** Logs a demo user in (once per context) and returns a bearer header value. */
  as(email: string): Promise<string>;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    DB_POOL_MAX: '8',
    ...overrides,
  });
}

/** The real API (guards, pipes, filters, migrations' schema) on the run's real database. */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: { resolver?: HostResolver; databaseUrl?: string } = {},
): Promise<TestContext> {
  const databaseUrl = options.databaseUrl ?? process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('TEST_DATABASE_URL is not set: run the e2e tests through jest (global setup).');
  const config = testConfig({ DATABASE_URL: databaseUrl, ...overrides });
  const clock = new ManualClock(new Date());
  const app = await createApp({ config, databaseUrl, clock: clock as Clock, resolver: options.resolver });
  await app.init();
  const http = request(app.getHttpServer());
  const tokens = new Map<string, string>();
  return {
    app,
    http,
    db: app.get(DataSource),
    clock,
    config,
    async as(email: string) {
      let token = tokens.get(email);
      if (!token) {
        const res = await http.post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD });
        if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
        token = `Bearer ${res.body.accessToken as string}`;
        tokens.set(email, token);
      }
      return token;
    },
    close: () => app.close(),
  };
}
