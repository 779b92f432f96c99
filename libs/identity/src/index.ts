export * from './authentication.guard';
export * from './identity.module';
export * from './organisation.entity';
export * from './passwords';
export * from './token.service';
export * from './user.entity';
export * from './client-rate-limit.guard';
export * from './database-throttler.storage';
