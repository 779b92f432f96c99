export * from './canonical-json';
export * from './idempotency-record.entity';
export * from './idempotency.interceptor';
export * from './idempotency.module';
export * from './idempotency.store';
export * from './idempotent.decorator';
