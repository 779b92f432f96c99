import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions, IdempotencyStore } from './idempotency.store';

/**
 * Idempotency-Key support. The app registers the interceptor globally:
 * `{ provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor }`; the worker may use
 * `IdempotencyStore.purgeExpired(now)` (or `purgeExpiredIdempotencyRecords`) for housekeeping.
 */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyRecord])],
  providers: [IdempotencyStore, IdempotencyInterceptor],
  exports: [IdempotencyStore, IdempotencyInterceptor],
})
export class IdempotencyModule {
  /** The same module with other timings (tests). */
  static withOptions(options: Partial<IdempotencyOptions>): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [{ provide: IDEMPOTENCY_OPTIONS, useValue: options }],
    };
  }
}
