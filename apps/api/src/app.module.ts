import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessModule, PermissionGuard } from '@app/access';
import { CaseworkApiModule } from '@app/casework';
import { ChildrenModule } from '@app/children';
import { ChildrensServicesModule } from '@app/childrens-services';
import { EducationModule } from '@app/education';
import { HealthModule } from '@app/health';
import { AuthenticationGuard, ClientRateLimitGuard, DatabaseThrottlerStorage, IdentityModule } from '@app/identity';
import { PoliceModule } from '@app/police';
import { OversightModule } from '@app/oversight';
import { ReferralsModule } from '@app/referrals';
import { SharingModule } from '@app/sharing';
import {
  type AppConfig,
  buildDataSourceOptions,
  Clock,
  type HostResolver,
  IdempotencyModule,
  InputLimitsGuard,
  loggingModule,
  PlatformModule,
  ProblemDetailsFilter,
} from '@app/platform';
import { SCHEMA } from '../../../migrations/schema';
import { HealthController } from './health.controller';

export interface AppOptions {
  config: AppConfig;
  databaseUrl: string;
  clock?: Clock;
  /** DNS for outbound webhooks; the system's unless given (tests). */
  resolver?: HostResolver;
}

/** Composition only: which modules make the API, and the global guards in the order they run. */
@Module({})
export class AppModule {
  static register({ config, databaseUrl, clock, resolver }: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, clock, resolver),
        loggingModule(config.logLevel),
        TypeOrmModule.forRoot(
          buildDataSourceOptions(databaseUrl, SCHEMA, {
            poolMax: config.dbPoolMax,
            applicationName: 'safeguarding-hub-api',
          }),
        ),
        AccessModule,
        IdentityModule,
        CaseworkApiModule,
        ChildrenModule,
        ReferralsModule,
        SharingModule,
        ChildrensServicesModule,
        EducationModule,
        HealthModule,
        PoliceModule,
        OversightModule,
        // Global: what @Idempotent() routes need, in every module.
        IdempotencyModule,
        ThrottlerModule.forRootAsync({
          inject: [DataSource],
          useFactory: (db: DataSource) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.clientRateLimitPerMinute }],
            storage: new DatabaseThrottlerStorage(db),
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        // Input within its limits first (no NUL, bounded depth and width), before anything reads it.
        { provide: APP_GUARD, useClass: InputLimitsGuard },
        // Authentication first (who), then permission (may they): default deny for both.
        { provide: APP_GUARD, useExisting: AuthenticationGuard },
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_GUARD, useExisting: PermissionGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // No global interceptor: @Idempotent() applies the IdempotencyInterceptor to its own routes.
      ],
    };
  }
}
