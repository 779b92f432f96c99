export * from './ability.factory';
export * from './access.module';
export * from './casl-to-sql';
export * from './permission.decorator';
export * from './permission.guard';
export * from './policy';
export * from './roles';
