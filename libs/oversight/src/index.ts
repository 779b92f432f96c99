export * from './oversight.clocks';
export * from './oversight.module';
export { openWorkSql } from './dashboard.service';
