import { type DynamicModule, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { Interval, ScheduleModule } from '@nestjs/schedule';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditModule, AuditSealJob } from '@app/audit';
import { CaseworkModule, EscalationJob } from '@app/casework';
import { PoliceJobsModule } from '@app/police';
import { SharingJobsModule } from '@app/sharing';
import {
  APP_CONFIG,
  type AppConfig,
  buildDataSourceOptions,
  Clock,
  IdempotencyModule,
  OutboxModule,
  PlatformModule,
  purgeExpiredIdempotencyRecords,
  purgePublishedOutboxEvents,
  WebhookJob,
} from '@app/platform';
import { SCHEMA } from '../../../migrations/schema';

/** Housekeeping: failed-login records are only needed for the rate-limit window. */
@Injectable()
export class PurgeLoginFailuresJob {
  private readonly logger = new Logger(PurgeLoginFailuresJob.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Interval(60_000)
  async run(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.loginFailureWindowSeconds * 1000);
    const result: [unknown[], number] = await this.db.query('DELETE FROM login_failure WHERE at < $1', [before]);
    const deleted = result[1] ?? 0;
    if (deleted > 0) this.logger.log(`Purged ${deleted} expired login failures`);
    return deleted;
  }
}

/** Housekeeping: idempotency keys are kept for 24 hours. */
@Injectable()
export class PurgeIdempotencyRecordsJob {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  @Interval(600_000)
  run(): Promise<number> {
    return purgeExpiredIdempotencyRecords(this.db, this.clock.now());
  }
}

/** Housekeeping: rate-limit windows are only needed while they last (a minute). */
@Injectable()
export class PurgeRateLimitWindowsJob {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Interval(600_000)
  async run(): Promise<number> {
    // Database time, as the counters use: an hour is far beyond any window.
    const result: [unknown[], number] = await this.db.query(
      `DELETE FROM rate_limit_window WHERE started_at < clock_timestamp() - interval '1 hour'`,
    );
    // The whistleblowing line's anonymous attempts (an hour's window; two hours leaves room for clocks).
    const attempts: [unknown[], number] = await this.db.query(
      `DELETE FROM whistleblowing_attempt WHERE at < clock_timestamp() - interval '2 hours'`,
    );
    return (result[1] ?? 0) + (attempts[1] ?? 0);
  }
}

/** Housekeeping: published events and their delivery log are kept for OUTBOX_RETENTION_DAYS. */
@Injectable()
export class PurgeOutboxJob {
  private readonly logger = new Logger(PurgeOutboxJob.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  @Interval(3_600_000)
  async run(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.outboxRetentionDays * 86_400_000);
    const deleted = await purgePublishedOutboxEvents(this.db, before);
    if (deleted > 0) this.logger.log(`Purged ${deleted} published outbox events older than ${before.toISOString()}`);
    return deleted;
  }
}

@Module({})
export class WorkerModule {
  static register(config: AppConfig, databaseUrl: string, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config, clock),
        TypeOrmModule.forRoot(
          buildDataSourceOptions(databaseUrl, SCHEMA, { poolMax: 4, applicationName: 'safeguarding-hub-worker' }),
        ),
        ScheduleModule.forRoot(),
        AuditModule,
        CaseworkModule,
        OutboxModule,
        SharingJobsModule,
        PoliceJobsModule,
        // The children module (of the grant-expiry job) has @Idempotent() routes: their interceptor needs the store.
        IdempotencyModule,
      ],
      providers: [
        PurgeLoginFailuresJob,
        PurgeIdempotencyRecordsJob,
        PurgeOutboxJob,
        PurgeRateLimitWindowsJob,
        AuditSealJob,
        EscalationJob,
        WebhookJob,
      ],
    };
  }
}
