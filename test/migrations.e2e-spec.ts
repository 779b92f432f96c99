import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '@app/platform';
import { SCHEMA } from '../migrations/schema';

describe('migrations', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await new DataSource(
      buildDataSourceOptions(process.env.TEST_DATABASE_URL!, SCHEMA, { poolMax: 1 }),
    ).initialize();
  });
  afterAll(() => ds.destroy());

  it('are all applied', async () => {
    expect(await ds.showMigrations()).toBe(false);
  });

  it('agree with the entities: generating a migration now would produce nothing', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('follow the <timestamp>-<PascalName> naming and run in timestamp order', () => {
    const names = (SCHEMA.migrations as { name: string }[]).map((m) => m.name);
    const stamps = names.map((n) => Number(/(\d{13})$/.exec(n)?.[1]));
    expect(stamps.every((s) => Number.isFinite(s))).toBe(true);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });
});
