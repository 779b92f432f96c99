import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions, IdempotencyStore } from './idempotency.store';

/**
 * Idempotency-Key support. Global: `@Idempotent()` applies the interceptor to its route in any
 * module, which needs the store from here. The app imports it once; the worker may use
 * `IdempotencyStore.purgeExpired(now)` (or `purgeExpiredIdempotencyRecords`) for housekeeping.
 */
@Global()
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
