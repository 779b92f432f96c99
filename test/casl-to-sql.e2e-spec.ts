import { type AnyMongoAbility, createMongoAbility, subject, type RawRuleOf } from '@casl/ability';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { abilityToSql, type FieldSql } from '@app/access';

/**
 * The SQL that `abilityToSql` writes must select exactly the rows that `ability.can()` allows:
 * list endpoints filter in SQL, single-record checks run in memory, and the two must agree.
 * Checked row by row on generated data and generated policies against the run's database.
 */

type ProbeAbility = AnyMongoAbility;
type ProbeRule = RawRuleOf<ProbeAbility>;

interface ProbeRow {
  id: number;
  organisationId: string;
  status: string;
  risk: number;
  restricted: boolean;
  roles: string[];
  teamId: string | null;
}

const ORGS = ['org-a', 'org-b', 'org-c'];
const STATUSES = ['open', 'closed', 'draft'];
const ROLES = ['lead', 'worker', 'viewer', 'admin'];
const TEAMS = ['team-1', 'team-2'];

const COLUMNS = new Map<string, FieldSql>([
  ['id', { column: 'p.id' }],
  ['organisationId', { column: 'p.organisation_id' }],
  ['status', { column: 'p.status' }],
  ['risk', { column: 'p.risk' }],
  ['restricted', { column: 'p.restricted' }],
  ['roles', { column: 'p.roles', array: true }],
  ['teamId', { column: 'p.team_id' }],
]);
const resolve = (field: string): FieldSql | undefined => COLUMNS.get(field);

// ---- generators -------------------------------------------------------------------------------

const rowArb = fc.record(
  {
    organisationId: fc.constantFrom(...ORGS),
    status: fc.constantFrom(...STATUSES),
    risk: fc.integer({ min: 0, max: 5 }),
    restricted: fc.boolean(),
    roles: fc.uniqueArray(fc.constantFrom(...ROLES), { maxLength: 3 }),
    teamId: fc.constantFrom<string | null>(null, ...TEAMS),
  },
  { noNullPrototype: true },
);
const rowsArb = fc
  .array(rowArb, { minLength: 1, maxLength: 400, size: 'max' })
  .map((rows): ProbeRow[] => rows.map((row, i) => ({ id: i + 1, ...row })));

/** `{ [name]: value }` with an ordinary prototype: CASL reads a null-prototype object as a value. */
const op = <T>(name: string, value: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> =>
  value.map((v) => ({ [name]: v }));

/** Equality, negation, membership and existence over a scalar field's value domain. */
function scalarCondition<T>(value: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  const list = fc.uniqueArray(value, { maxLength: 3 });
  return fc.oneof(
    { arbitrary: value, weight: 3 },
    { arbitrary: op('$eq', value), weight: 1 },
    { arbitrary: op('$ne', value), weight: 2 },
    { arbitrary: op('$in', list), weight: 2 },
    { arbitrary: op('$nin', list), weight: 2 },
    { arbitrary: op('$exists', fc.boolean()), weight: 1 },
  );
}

const riskValue = fc.integer({ min: -1, max: 6 });
const riskCondition = fc.oneof(
  scalarCondition(riskValue),
  op('$lt', riskValue),
  op('$lte', riskValue),
  op('$gt', riskValue),
  op('$gte', riskValue),
  fc.tuple(riskValue, riskValue).map(([from, to]) => ({ $gte: from, $lt: to })),
);
const rolesList = fc.uniqueArray(fc.constantFrom(...ROLES, 'nobody'), { maxLength: 3 });
const rolesCondition = fc.oneof(fc.constantFrom(...ROLES), op('$in', rolesList), op('$nin', rolesList));

/**
 * A rule's conditions: an AND over up to three fields ({} included). CASL 7's default parser has no
 * top-level $or/$and/$nor nor field-level $not, so OR and NOT come from several rules and from
 * inverted rules.
 */
const field = (name: string, condition: fc.Arbitrary<unknown>): fc.Arbitrary<[string, unknown]> =>
  fc.tuple(fc.constant(name), condition);
const fieldCondition = fc.oneof(
  field('id', fc.oneof(op('$lt', fc.integer({ min: 0, max: 400 })), op('$in', fc.uniqueArray(fc.nat(400))))),
  field('organisationId', scalarCondition(fc.constantFrom(...ORGS, 'org-x'))),
  field('status', scalarCondition(fc.constantFrom(...STATUSES))),
  field('risk', riskCondition),
  field('restricted', fc.oneof(fc.boolean(), op('$ne', fc.boolean()))),
  field('roles', rolesCondition),
  // Twice as likely: the nullable column is where SQL and CASL are most likely to part ways.
  { arbitrary: field('teamId', scalarCondition(fc.constantFrom<string | null>(null, ...TEAMS))), weight: 2 },
);
const conditionsArb = fc.oneof(
  { arbitrary: fc.constant({}), weight: 1 },
  {
    arbitrary: fc
      .array(fieldCondition, { minLength: 1, maxLength: 3 })
      .map((entries): Record<string, unknown> => Object.fromEntries(entries)),
    weight: 12,
  },
);

/** true `yes` times in `yes + no`; shrinks to false. */
const weightedBoolean = (yes: number, no: number): fc.Arbitrary<boolean> =>
  fc.oneof({ arbitrary: fc.constant(false), weight: no }, { arbitrary: fc.constant(true), weight: yes });

const ruleArb = fc
  .record({
    action: fc.constantFrom('read', 'read', 'read', 'update', 'manage'),
    subject: fc.constantFrom('Probe', 'Probe', 'Probe', 'Other', 'all'),
    inverted: weightedBoolean(2, 3),
    conditions: fc.option(conditionsArb, { freq: 10, nil: undefined }),
    // Field-restricted rules: can() without a field ignores the inverted ones, and so must the SQL.
    withFields: weightedBoolean(1, 7),
  })
  .map(({ action, subject, inverted, conditions, withFields }) => {
    const rule: ProbeRule = { action, subject };
    if (inverted) rule.inverted = true;
    if (conditions !== undefined) rule.conditions = conditions;
    if (withFields) rule.fields = ['status'];
    return rule;
  });
const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 5 });

// ---- database ---------------------------------------------------------------------------------

describe('CASL rules to SQL agree with ability.can() row by row', () => {
  let ds: DataSource;

  beforeAll(async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set: run with the e2e project (test/global-setup.ts).');
    // One connection, so the temporary table is visible to every query.
    ds = await new DataSource({ type: 'postgres', url, poolSize: 1 }).initialize();
    await ds.query(`
      CREATE TEMPORARY TABLE casl_probe (
        id int PRIMARY KEY,
        organisation_id text NOT NULL,
        status text NOT NULL,
        risk int NOT NULL,
        restricted boolean NOT NULL,
        roles text[] NOT NULL,
        team_id text NULL
      )`);
  });

  afterAll(async () => {
    if (!ds?.isInitialized) return;
    await ds.query('DROP TABLE IF EXISTS casl_probe');
    await ds.destroy();
  });

  async function load(rows: ProbeRow[]): Promise<void> {
    await ds.query('TRUNCATE casl_probe');
    const json = rows.map((r) => ({
      id: r.id,
      organisation_id: r.organisationId,
      status: r.status,
      risk: r.risk,
      restricted: r.restricted,
      roles: r.roles,
      team_id: r.teamId,
    }));
    await ds.query(
      `INSERT INTO casl_probe (id, organisation_id, status, risk, restricted, roles, team_id)
       SELECT id, organisation_id, status, risk, restricted, roles, team_id
       FROM json_populate_recordset(NULL::casl_probe, $1::json)`,
      [JSON.stringify(json)],
    );
  }

  /** Runs the scope the way services do: TypeORM turns `:name` parameters into `$n`. */
  async function selectIds(scope: { sql: string; params: Record<string, unknown> }): Promise<number[]> {
    const [sql, params] = ds.driver.escapeQueryWithParameters(
      `SELECT id FROM casl_probe p WHERE ${scope.sql} ORDER BY id`,
      scope.params,
    );
    const rows: { id: number }[] = await ds.query(sql, params);
    return rows.map((r) => r.id);
  }

  const allowedIds = (ability: ProbeAbility, action: string, rows: ProbeRow[]): number[] =>
    rows.filter((row) => ability.can(action, subject('Probe', { ...row }))).map((row) => row.id);

  /** Compares SQL and CASL for one action; on a mismatch, names the rows and the SQL that disagree. */
  async function expectAgreement(rules: ProbeRule[], rows: ProbeRow[], action = 'read'): Promise<number[]> {
    const ability = createMongoAbility<ProbeAbility>(rules);
    const scope = abilityToSql(ability, action, 'Probe', resolve);
    const actual = await selectIds(scope);
    const expected = allowedIds(ability, action, rows);
    if (actual.join() !== expected.join()) {
      const inSql = new Set(actual);
      const inCasl = new Set(expected);
      const differing = rows
        .filter((r) => inSql.has(r.id) !== inCasl.has(r.id))
        .slice(0, 3)
        .map((r) => `${JSON.stringify(r)} casl=${inCasl.has(r.id)} sql=${inSql.has(r.id)}`);
      throw new Error(
        `SQL and CASL disagree for "${action}"\nrules: ${JSON.stringify(rules)}\n` +
          `sql: ${scope.sql}\nparams: ${JSON.stringify(scope.params)}\nrows:\n  ${differing.join('\n  ')}`,
      );
    }
    return actual;
  }

  it('selects exactly the rows ability.can() allows, for generated rows and policies', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, rulesArb, async (rows, rules) => {
        await load(rows);
        await expectAgreement(rules, rows, 'read');
        await expectAgreement(rules, rows, 'update');
      }),
      // Stop (and report) well before Jest's timeout, or a long shrink would outlive the test.
      { numRuns: 100, interruptAfterTimeLimit: 60_000 },
    );
  }, 90_000);

  // ---- examples -------------------------------------------------------------------------------

  const ROWS: ProbeRow[] = [
    { id: 1, organisationId: 'org-a', status: 'open', risk: 1, restricted: false, roles: ['lead'], teamId: 'team-1' },
    { id: 2, organisationId: 'org-a', status: 'closed', risk: 4, restricted: true, roles: [], teamId: null },
    { id: 3, organisationId: 'org-b', status: 'open', risk: 3, restricted: false, roles: ['worker'], teamId: 'team-2' },
    {
      id: 4,
      organisationId: 'org-b',
      status: 'draft',
      risk: 5,
      restricted: true,
      roles: ['lead', 'admin'],
      teamId: null,
    },
  ];

  describe('examples', () => {
    beforeAll(() => load(ROWS));

    it('no rules for the action and subject: 1=0, no rows', async () => {
      const rules: ProbeRule[] = [
        { action: 'update', subject: 'Probe' },
        { action: 'read', subject: 'Other' },
      ];
      expect(abilityToSql(createMongoAbility<ProbeAbility>(rules), 'read', 'Probe', resolve)).toEqual({
        sql: '1=0',
        params: {},
      });
      expect(await expectAgreement(rules, ROWS)).toEqual([]);
      expect(await expectAgreement([], ROWS)).toEqual([]);
    });

    it('an unconditional rule: every row', async () => {
      expect(await expectAgreement([{ action: 'read', subject: 'Probe' }], ROWS)).toEqual([1, 2, 3, 4]);
      expect(await expectAgreement([{ action: 'manage', subject: 'all' }], ROWS)).toEqual([1, 2, 3, 4]);
    });

    it('an inverted rule subtracts from what the rules before it allow', async () => {
      const rules: ProbeRule[] = [
        { action: 'read', subject: 'Probe', conditions: { organisationId: { $in: ['org-a', 'org-b'] } } },
        { action: 'read', subject: 'Probe', conditions: { restricted: true }, inverted: true },
      ];
      expect(await expectAgreement(rules, ROWS)).toEqual([1, 3]);
      // An unconditional inverted rule after an allow denies everything.
      expect(await expectAgreement([rules[0], { action: 'read', subject: 'Probe', inverted: true }], ROWS)).toEqual([]);
      // A later allow takes priority over an earlier deny.
      expect(
        await expectAgreement(
          [
            { action: 'read', subject: 'Probe', inverted: true, conditions: { status: 'open' } },
            { action: 'read', subject: 'Probe', conditions: { roles: 'lead' } },
          ],
          ROWS,
        ),
      ).toEqual([1, 4]);
    });

    it('array fields: a single value is membership, $in is overlap, $nin is disjointness', async () => {
      expect(
        await expectAgreement([{ action: 'read', subject: 'Probe', conditions: { roles: 'lead' } }], ROWS),
      ).toEqual([1, 4]);
      const overlap: ProbeRule = {
        action: 'read',
        subject: 'Probe',
        conditions: { roles: { $in: ['admin', 'worker'] } },
      };
      expect(await expectAgreement([overlap], ROWS)).toEqual([3, 4]);
      const disjoint: ProbeRule = { action: 'read', subject: 'Probe', conditions: { roles: { $nin: ['lead'] } } };
      expect(await expectAgreement([disjoint], ROWS)).toEqual([2, 3]);
    });

    it('null on the nullable column: { teamId: null } and { teamId: { $ne: null } }', async () => {
      expect(await expectAgreement([{ action: 'read', subject: 'Probe', conditions: { teamId: null } }], ROWS)).toEqual(
        [2, 4],
      );
      const notNull: ProbeRule = { action: 'read', subject: 'Probe', conditions: { teamId: { $ne: null } } };
      expect(await expectAgreement([notNull], ROWS)).toEqual([1, 3]);
    });

    // team_id is the one nullable column, and where SQL's NULL and CASL's null part ways.
    it.each<[string, ProbeRule[]]>([
      ['$nin', [{ action: 'read', subject: 'Probe', conditions: { teamId: { $nin: ['team-2'] } } }]],
      [
        'an inverted equality',
        [
          { action: 'read', subject: 'Probe' },
          { action: 'read', subject: 'Probe', inverted: true, conditions: { teamId: 'team-1' } },
        ],
      ],
      [
        'an inverted $in',
        [
          { action: 'read', subject: 'Probe' },
          { action: 'read', subject: 'Probe', inverted: true, conditions: { teamId: { $in: ['team-1'] } } },
        ],
      ],
      ['$in with null', [{ action: 'read', subject: 'Probe', conditions: { teamId: { $in: [null, 'team-1'] } } }]],
      ['$nin with null', [{ action: 'read', subject: 'Probe', conditions: { teamId: { $nin: [null, 'team-1'] } } }]],
      ['$exists: true', [{ action: 'read', subject: 'Probe', conditions: { teamId: { $exists: true } } }]],
      ['$exists: false', [{ action: 'read', subject: 'Probe', conditions: { teamId: { $exists: false } } }]],
    ])('the nullable column agrees with CASL under %s', async (_name, rules) => {
      await expectAgreement(rules, ROWS);
    });

    it('an empty $in matches nothing and an empty $nin everything', async () => {
      const empty: ProbeRule = { action: 'read', subject: 'Probe', conditions: { status: { $in: [] } } };
      expect(await expectAgreement([empty], ROWS)).toEqual([]);
      const none: ProbeRule = { action: 'read', subject: 'Probe', conditions: { status: { $nin: [] } } };
      expect(await expectAgreement([none], ROWS)).toEqual([1, 2, 3, 4]);
    });

    it('fails closed on a field with no column, in an allow or a deny rule', () => {
      for (const rules of [
        [{ action: 'read', subject: 'Probe', conditions: { secret: 'x' } }],
        [
          { action: 'read', subject: 'Probe' },
          { action: 'read', subject: 'Probe', conditions: { secret: 'x' }, inverted: true },
        ],
      ] as ProbeRule[][]) {
        const ability = createMongoAbility<ProbeAbility>(rules);
        expect(() => abilityToSql(ability, 'read', 'Probe', resolve)).toThrow(/no column for field "secret"/);
      }
    });

    it.each<[string, Record<string, unknown>]>([
      ['$regex', { status: { $regex: '^op' } }],
      ['$all', { roles: { $all: ['lead'] } }],
      ['$size', { roles: { $size: 1 } }],
      ['$elemMatch', { roles: { $elemMatch: { $eq: 'lead' } } }],
      ['$lt on an array field', { roles: { $lt: 'm' } }],
      // CASL 7's default parser reads these as fields named "$or" / "$nor": no column, so a throw.
      ['$or', { $or: [{ status: 'open' }] }],
      ['$nor', { $nor: [{ status: 'open' }] }],
    ])('fails closed on an unsupported operator: %s', (_name, conditions) => {
      const ability = createMongoAbility<ProbeAbility>([{ action: 'read', subject: 'Probe', conditions }]);
      expect(() => abilityToSql(ability, 'read', 'Probe', resolve)).toThrow(/CASL to SQL/);
    });
  });
});
