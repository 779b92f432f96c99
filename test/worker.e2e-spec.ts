import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ManualClock } from '@app/platform';
import { AuditSealJob, AuditVerifier } from '@app/audit';
import { PurgeLoginFailuresJob, WorkerModule } from '../apps/worker/src/worker.module';
import { testConfig } from './support/app';

describe('worker', () => {
  let worker: INestApplicationContext;
  const clock = new ManualClock(new Date('2026-11-28T12:00:00Z'));

  beforeAll(async () => {
    worker = await NestFactory.createApplicationContext(
      WorkerModule.register(testConfig(), process.env.TEST_DATABASE_URL!, clock),
      { logger: false },
    );
  });
  afterAll(() => worker.close());

  it('boots on the database and purges login failures older than the rate-limit window, and only those', async () => {
    const db = worker.get(DataSource);
    await db.query(`INSERT INTO login_failure (key, at) VALUES ('id:worker-old', $1), ('id:worker-new', $2)`, [
      new Date('2026-11-28T11:00:00Z'),
      new Date('2026-11-28T11:55:00Z'),
    ]);
    await worker.get(PurgeLoginFailuresJob).run();
    const left = await db.query(`SELECT key FROM login_failure WHERE key LIKE 'id:worker-%' ORDER BY key`);
    expect(left).toEqual([{ key: 'id:worker-new' }]);
  });

  it('seals the audit log: after a run every committed event is chained and the chain verifies', async () => {
    const db = worker.get(DataSource);
    await worker.get(AuditSealJob).run();
    await worker.get(AuditSealJob).run();
    const [{ unsealed }] = await db.query(
      'SELECT count(*)::int AS unsealed FROM audit_event e WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)',
    );
    expect(unsealed).toBe(0);
    expect(await worker.get(AuditVerifier).verify()).toMatchObject({ ok: true });
  });
});
