export * from './sharing.dto';
export * from './sharing.entity';
export * from './sharing.module';
export * from './sharing.service';
export * from './webhooks';
