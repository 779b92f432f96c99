export * from './education.clocks';
export * from './education.dto';
export * from './education.entity';
export * from './education.events';
export * from './education.module';
export * from './school-days';
