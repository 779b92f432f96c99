export * from './child.entity';
export * from './children.dto';
export * from './children.module';
export * from './child-rules';
export { ChildrenService } from './children.service';
export * from './chronology.entity';
export * from './identifiers';
export * from './involvement.entity';
export * from './names';
export * from './section.entity';
export * from './children.events';
export {
  activeInvolvement,
  childHiddenColumn,
  childHiddenField,
  childKnownSql,
  searchPaths,
  type SearchPaths,
} from './child-scope';
export { checkSearchIndex, type SearchIndexReport } from './search-index';
export * from './children.errors';
// The returns CLIs' read of many children's statutory identifiers (inside the app: SharedRecord.returnIdentifiers).
export { returnIdentifiersOf } from './children.repository';
