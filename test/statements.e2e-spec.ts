import { Statements } from '@app/platform';
import { startTestApp, type TestContext } from './support/app';

/** One statement at a time, prepared per connection on a real PostgreSQL (the hot child read uses it). */
describe('Statements', () => {
  let t: TestContext;
  let statements: Statements;
  beforeAll(async () => {
    t = await startTestApp();
    statements = t.app.get(Statements, { strict: false });
  });
  afterAll(() => t.close());

  const SQL = `SELECT code, :tag::text AS tag, :tag::text || '!' AS again FROM organisation WHERE code = ANY(:codes) ORDER BY code`;

  it('binds named parameters in order, a repeated name once, with fresh values on every call', async () => {
    for (const [codes, tag] of [
      [['NSP', 'SSP'], 'first'],
      [['NSC'], 'second'],
      [['SSP', 'NSC', 'NSP'], 'third'],
    ] as const) {
      const rows = await Promise.all(
        Array.from({ length: 4 }, () => statements.query(SQL, { codes: [...codes], tag })),
      );
      for (const r of rows) {
        expect(r).toEqual([...codes].sort().map((code) => ({ code, tag, again: `${tag}!` })));
      }
    }
  });

  it('compiles the same text again when it is given other parameter names', async () => {
    const sql = 'SELECT :a::int + coalesce(:b::int, 0) AS n';
    expect(await statements.query(sql, { a: 1, b: 2 })).toEqual([{ n: 3 }]);
    await expect(statements.query(sql, { a: 1 })).rejects.toThrow();
    expect(await statements.query(sql, { b: 5, a: 10 })).toEqual([{ n: 15 }]);
  });

  it('refuses spread and function parameters rather than guess', async () => {
    await expect(statements.query('SELECT 1 WHERE 1 IN (:...list)', { list: [1] })).rejects.toThrow(TypeError);
    await expect(statements.query('SELECT :f', { f: () => 'now()' })).rejects.toThrow(TypeError);
  });

  it('prepares each statement on a real PostgreSQL, never on the embedded one', async () => {
    const rows = await statements.query<{ names: string[] }>(
      `SELECT coalesce(array_agg(name::text), '{}') AS names FROM pg_prepared_statements WHERE :probe::int = 1`,
      { probe: 1 },
    );
    const prepared = rows[0].names.filter((n) => n.startsWith('s_'));
    if (process.env.DATABASE_URL) expect(prepared.length).toBeGreaterThan(0);
    else expect(prepared).toEqual([]);
  });

  it('keeps answering when a table changes under a prepared statement (a migration while the app runs)', async () => {
    await t.db.query('DROP TABLE IF EXISTS statements_probe');
    await t.db.query('CREATE TABLE statements_probe (id int PRIMARY KEY, label text)');
    await t.db.query(`INSERT INTO statements_probe VALUES (1, 'one'), (2, 'two')`);
    const sql = 'SELECT * FROM statements_probe WHERE id = :id';
    // Sequential calls reuse the same idle connection, which then holds the prepared plan.
    for (let i = 0; i < 5; i++) expect(await statements.query(sql, { id: 1 })).toEqual([{ id: 1, label: 'one' }]);
    await t.db.query(`ALTER TABLE statements_probe ADD COLUMN note text DEFAULT 'added'`);
    for (let i = 0; i < 5; i++) {
      expect(await statements.query(sql, { id: 2 })).toEqual([{ id: 2, label: 'two', note: 'added' }]);
    }
    await t.db.query('DROP TABLE statements_probe');
  });
});
