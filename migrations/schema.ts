import { IDENTITY_ENTITIES } from '@app/identity';
import type { SchemaParts } from '@app/platform';
import { MIGRATIONS } from './index';

/** Every entity the database holds, and the migrations that build it: one list for all processes. */
export const SCHEMA: SchemaParts = {
  entities: [...IDENTITY_ENTITIES],
  migrations: MIGRATIONS,
};
