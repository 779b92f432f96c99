import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { DataSource, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent } from 'typeorm';
import type { BeforeQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import { IdempotencyStore, loadConfig } from '@app/platform';
import { createApp } from '../../apps/api/src/create-app';

/**
 * The API in a process of its own, for tests that kill it with SIGKILL. With CRASH_PAUSE it stops
 * dead at one point of the first transaction that inserts into CRASH_TABLE, and says so on stdout
 * (`{"paused": ...}`), so that the kill lands exactly there:
 *   before-commit: the transaction's work is done, its COMMIT not yet sent;
 *   after-commit:  the COMMIT has been answered, nothing else has happened yet.
 * Prints `{"port": n}` once listening.
 */
const pause = process.env.CRASH_PAUSE as 'before-commit' | 'after-commit' | undefined;
const insertInto = new RegExp(`^\\s*INSERT INTO "?${process.env.CRASH_TABLE ?? 'referral'}"?[\\s(]`, 'i');

class PauseAtCommit implements EntitySubscriberInterface {
  private readonly wrote = new WeakSet<QueryRunner>();
  private paused = false;

  beforeQuery(event: BeforeQueryEvent): void {
    if (insertInto.test(event.query)) this.wrote.add(event.queryRunner);
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    // TypeORM sends a savepoint's RELEASE through the same method: only the outermost COMMIT counts.
    const depth = (event.queryRunner as unknown as { transactionDepth: number }).transactionDepth;
    if (pause === 'before-commit' && depth === 1) await this.stop(event.queryRunner);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    if (pause === 'after-commit' && !event.queryRunner.isTransactionActive) await this.stop(event.queryRunner);
  }

  private async stop(runner: QueryRunner): Promise<void> {
    if (this.paused || !this.wrote.has(runner)) return;
    this.paused = true;
    process.stdout.write(`${JSON.stringify({ paused: pause })}\n`);
    await new Promise(() => undefined); // Until the test kills this process.
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL!;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'crash-secret-crash-secret-crash-secret-01',
    LOG_LEVEL: 'silent',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    DB_POOL_MAX: '4',
  });
  const app = await createApp({ config, databaseUrl });
  app.get(DataSource).subscribers.push(new PauseAtCommit());
  if (process.env.STALE_AFTER_MS) {
    app.get(IdempotencyStore).options.staleAfterMs = Number(process.env.STALE_AFTER_MS);
  }
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
