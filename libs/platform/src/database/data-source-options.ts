import type { DataSourceOptions, MixedList } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

// TypeORM's own option types use Function for entity and migration classes.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = MixedList<Function | string>;

export interface SchemaParts {
  entities: ClassList;
  migrations: ClassList;
}

/**
 * The one data source definition, shared by the API, the worker, the CLI scripts and the tests.
 * `synchronize` is never on: the schema changes only through migrations.
 */
export function buildDataSourceOptions(
  url: string,
  schema: SchemaParts,
  options: { poolMax?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: options.applicationName ?? 'safeguarding-hub',
    extra: { max: options.poolMax ?? 10 },
    logging: ['error'],
  };
}
