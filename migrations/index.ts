// Maintained by `npm run migration:generate`: migrations in the order they run.
import { Init1795869855276 } from './1795869855276-Init';

export const MIGRATIONS = [Init1795869855276];
