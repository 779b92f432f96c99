export * from './cse-screening.scoring';
export * from './normalise';
export * from './police.clocks';
export * from './police.events';
export * from './police.module';
export * from './network.sql';
export * from './police.entity';
export * from './disclosure-ending.job';
