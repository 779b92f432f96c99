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
    // A database that stops answering (or a pool that stays full) fails a request after 10 s,
    // answered 503, instead of holding it for the operating system's TCP timeout.
    extra: { max: options.poolMax ?? 10, connectionTimeoutMillis: 10_000 },
    logging: ['error'],
  };
}
