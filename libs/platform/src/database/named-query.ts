import type { EntityManager } from 'typeorm';

/** Runs raw SQL written with TypeORM-style named parameters (`:name`, `:...list`). */
export async function namedQuery<T = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const [text, values] = manager.connection.driver.escapeQueryWithParameters(sql, params);
  return manager.query(text, values) as Promise<T[]>;
}
