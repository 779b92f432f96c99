export * from './oversight.clocks';
export * from './oversight.module';
