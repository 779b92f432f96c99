export * from './childrens-services.clocks';
export * from './childrens-services.entity';
export * from './childrens-services.events';
export * from './childrens-services.module';
export * from './childrens-services.service';
export * from './childrens-services.state';
export * from './cin-census';
export * from './cin-census.service';
