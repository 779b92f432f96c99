export * from './grant-expiry.job';
export * from './sharing.clocks';
export * from './sharing.dto';
export * from './sharing.entity';
export * from './sharing.events';
export * from './sharing.module';
