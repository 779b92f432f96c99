export * from './health.dto';
export * from './health.entity';
export * from './health.events';
export * from './health.module';
export * from './health.service';
