/**
 * No hidden coupling (issue #11 item 3): a lib reads and writes only its own tables, through SQL
 * or a repository, and asks other libs for anything else. The dependency check sees imports; this
 * sees what imports cannot show: table names in SQL strings and repositories of another lib's
 * entities. Ownership comes from each lib's entities (`@Entity('table')`); the few tables only a
 * migration creates are assigned below. A SQL fragment a lib builds for others to embed (children's
 * `childKnownSql`, say) is written in that lib's files, so it counts as that lib's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '../..');
const LIBS = join(ROOT, 'libs');

/** Tables a migration creates without an entity (kept by triggers), and the lib that owns each. */
const MIGRATION_ONLY_TABLES: Record<string, string> = {
  child_search: 'children',
  // The kernel's read model of its deadlines (decision 0014): kept by a trigger on `deadline`.
  deadline_count: 'casework',
  deadline_count_bucket: 'casework',
  deadline_count_delta: 'casework',
  // The kernel's counters of other modules' work (decision 0014), kept by their triggers.
  work_count: 'casework',
  work_count_bucket: 'casework',
  work_count_delta: 'casework',
};

/**
 * Deliberate exceptions: a lib reads (never writes) another lib's table, and why. Each is
 * checked to be still needed, so the list cannot outlive its reasons.
 */
const ALLOWED_READS: { lib: string; table: string; why: string }[] = [
  // The directory: who is who. Open to every agency by the policy ("the directory of partner
  // agencies is open to all of them"); joined for names, kinds and whether an account is active.
  ...['audit', 'casework', 'children', 'referrals', 'sharing', 'childrens-services'].map((lib) => ({
    lib,
    table: 'organisation',
    why: "identity's directory of organisations: names and kinds, open to every agency",
  })),
  { lib: 'referrals', table: 'team', why: "identity's directory: a referral names its receiving team" },
  {
    lib: 'police',
    table: 'organisation',
    why: "identity's directory: a cross-force match names the other force (its name only)",
  },
  {
    lib: 'police',
    table: 'team',
    why: "identity's directory: the force's CSE unit team hears of patterns and matches",
  },
  {
    lib: 'police',
    table: 'child',
    why: "the network names a child (given and family name) in the same statement, only under children's childKnownSql",
  },
  {
    lib: 'referrals',
    table: 'app_user',
    why: "identity's directory: whether a referral's sender is a person (told by name) or a partner system",
  },
  { lib: 'children', table: 'app_user', why: "identity's directory: a case team is made of active users" },
  {
    lib: 'childrens-services',
    table: 'app_user',
    why: "identity's directory: a plan's lead social worker is an active social worker of the council",
  },
  {
    lib: 'childrens-services',
    table: 'team',
    why: "identity's directory: Ofsted's Annex A names each case's allocated team",
  },
  {
    lib: 'audit',
    table: 'app_user',
    why: "identity's directory: the access log names who looked (audit cannot import identity: same layer)",
  },
  {
    lib: 'audit',
    table: 'api_client',
    why: "identity's directory: the access log names the partner system that looked",
  },
  // The outbox's HTTP face: platform has no access policy to scope subscriptions with, so the
  // kernel's webhook API (casework) reads them under the policy; the dispatcher writes them.
  {
    lib: 'casework',
    table: 'webhook_subscription',
    why: "platform's outbox: the webhook API lists a client's subscriptions under the policy",
  },
  {
    lib: 'casework',
    table: 'webhook_delivery',
    why: "platform's outbox: the webhook API checks a delivery belongs to the client's subscription",
  },
  // Agency modules that landed with issue 15 (education, health): reads still to move behind
  // SharedRecord / referrals' public services (a kernel follow-up, named in the issue note).
  ...(['education', 'health'] as const).map((lib) => ({
    lib,
    table: 'organisation',
    why: "identity's directory: names of schools and councils, open to every agency",
  })),
  {
    lib: 'health',
    table: 'app_user',
    why: "identity's directory: a support plan's key worker is an active colleague of the service's organisation",
  },
  {
    lib: 'health',
    table: 'team',
    why: "identity's directory: the responsible council's MASH team is the contact point",
  },
  // Oversight is the partnership's read model of what every module recorded (issue 16): it reads
  // the audit log, the kernel's deadlines, escalations and notifications, and the workflows' records,
  // always under the viewer's scope in the same statement; it never writes them.
  ...[
    'audit_event',
    'deadline',
    'deadline_count',
    'work_count',
    'escalation',
    'notification',
    'notification_read',
    'app_user',
    'organisation',
    'team',
    'concern',
    'referral',
    'referral_transition',
    'information_request',
  ].map((table) => ({
    lib: 'oversight',
    table,
    why: 'oversight is the read model of who knew what and what is overdue: it reads, scoped to the viewer, never writes',
  })),
];

/** Calls that reach a table through an entity class: `tx.getRepository(Child)`, `.into(Escalation)`, ... */
const ENTITY_CALLS = new Set(['getRepository', 'into', 'from', 'insert', 'update', 'delete', 'save', 'upsert']);
/** A table named right after one of these is read or written. */
const SQL_TABLE = /\b(FROM|JOIN|UPDATE|INTO|TABLE)\s+(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)"?/gi;

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

interface Source {
  lib: string;
  file: string;
  ast: ts.SourceFile;
}

const sources: Source[] = readdirSync(LIBS).flatMap((lib) =>
  walk(join(LIBS, lib, 'src'))
    .filter((f) => !f.endsWith('.spec.ts'))
    .map((file) => ({
      lib,
      file,
      ast: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
    })),
);

function visit(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  node.forEachChild((child) => visit(child, fn));
}

/** Each lib's tables and entity classes, from `@Entity('table') class X`. */
function ownership() {
  const tables = new Map<string, string>(Object.entries(MIGRATION_ONLY_TABLES));
  const classes = new Map<string, { lib: string; table: string }>();
  for (const { lib, ast } of sources) {
    visit(ast, (n) => {
      if (!ts.isClassDeclaration(n) || !n.name) return;
      for (const d of ts.getDecorators(n) ?? []) {
        const call = d.expression;
        if (!ts.isCallExpression(call) || call.expression.getText() !== 'Entity') continue;
        const arg = call.arguments[0];
        if (!arg || !ts.isStringLiteral(arg)) throw new Error(`${n.name.text}: @Entity needs its table name`);
        tables.set(arg.text, lib);
        classes.set(n.name.text, { lib, table: arg.text });
      }
    });
  }
  return { tables, classes };
}

/** The text of a string or template literal, with `${...}` parts blanked. */
function literalText(n: ts.Node): string | null {
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isTemplateExpression(n))
    return [n.head.text, ...n.templateSpans.map((s) => ` \${} ${s.literal.text}`)].join('');
  return null;
}

interface Use {
  lib: string;
  table: string;
  owner: string;
  write: boolean;
  where: string;
}

function crossLibUses(): Use[] {
  const { tables, classes } = ownership();
  const uses: Use[] = [];
  for (const { lib, file, ast } of sources) {
    const where = (n: ts.Node) => `${relative(ROOT, file)}:${ast.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    visit(ast, (n) => {
      const text = literalText(n);
      if (text !== null) {
        for (const m of text.matchAll(SQL_TABLE)) {
          const table = m[2]!.toLowerCase();
          const owner = tables.get(table);
          if (owner && owner !== lib) {
            uses.push({ lib, table, owner, write: !/^(FROM|JOIN)$/i.test(m[1]!), where: where(n) });
          }
        }
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const method = n.expression.name.text;
        const arg = n.arguments[0];
        const entity = arg && ts.isIdentifier(arg) ? classes.get(arg.text) : undefined;
        if (ENTITY_CALLS.has(method) && entity && entity.lib !== lib) {
          // A repository or query builder on another lib's entity: reads and writes alike.
          uses.push({ lib, table: entity.table, owner: entity.lib, write: true, where: where(n) });
        }
      }
    });
  }
  return uses;
}

/** Where a file queries the database itself: SQL naming a table, `namedQuery`, `.query`, `.getRepository`. */
function queriesIn(file: string, ast: ts.SourceFile): string[] {
  const { tables } = ownership();
  const found: string[] = [];
  const where = (n: ts.Node) => `${relative(ROOT, file)}:${ast.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  visit(ast, (n) => {
    const text = literalText(n);
    if (text !== null && [...text.matchAll(SQL_TABLE)].some((m) => tables.has(m[2]!.toLowerCase()))) {
      found.push(where(n));
    }
    if (!ts.isCallExpression(n)) return;
    const callee = n.expression;
    if (ts.isIdentifier(callee) && callee.text === 'namedQuery') found.push(where(n));
    if (ts.isPropertyAccessExpression(callee) && ['query', 'getRepository'].includes(callee.name.text)) {
      found.push(where(n));
    }
  });
  return found;
}

describe('no hidden coupling between libs', () => {
  const uses = crossLibUses();

  it("finds the tables it guards (every lib's entities, and the table each migration creates)", () => {
    const { tables } = ownership();
    for (const lib of ['identity', 'audit', 'casework', 'children', 'referrals', 'sharing']) {
      expect([...tables.values()]).toContain(lib);
    }
    const migrations = readdirSync(join(ROOT, 'migrations')).map((f) =>
      readFileSync(join(ROOT, 'migrations', f), 'utf8'),
    );
    const created = new Set(
      migrations.flatMap((m) => [...m.matchAll(/CREATE TABLE \\?"?([a-z_]+)/g)].map((x) => x[1]!)),
    );
    const dropped = new Set(migrations.flatMap((m) => [...m.matchAll(/DROP TABLE \\?"?([a-z_]+)/g)].map((x) => x[1]!)));
    // Dropped by a later migration and never created again by one (down() recreates what up() drops).
    const live = [...created].filter((t) => tables.has(t) || !dropped.has(t));
    expect(live.filter((t) => !tables.has(t))).toEqual([]);
  });

  it("no lib writes another lib's tables, by SQL or through its entities", () => {
    expect(uses.filter((u) => u.write).map((u) => `${u.where}: ${u.lib} writes ${u.owner}'s ${u.table}`)).toEqual([]);
  });

  it("no lib reads another lib's tables, but for the exceptions listed with their reasons", () => {
    const allowed = (u: Use) => ALLOWED_READS.some((a) => a.lib === u.lib && a.table === u.table);
    expect(
      uses.filter((u) => !u.write && !allowed(u)).map((u) => `${u.where}: ${u.lib} reads ${u.owner}'s ${u.table}`),
    ).toEqual([]);
  });

  it('lists no exception that is no longer needed', () => {
    const unused = ALLOWED_READS.filter((a) => !uses.some((u) => u.lib === a.lib && u.table === a.table && !u.write));
    expect(unused.map((a) => `${a.lib} -> ${a.table}`)).toEqual([]);
  });

  it('reads the repositories, where the SQL of children, referrals and sharing lives', () => {
    const { tables } = ownership();
    const repositories = sources.filter((s) => s.file.endsWith('.repository.ts'));
    expect(repositories.map((s) => relative(LIBS, s.file))).toEqual(
      expect.arrayContaining([
        'children/src/children.repository.ts',
        'referrals/src/referrals.repository.ts',
        'sharing/src/sharing.repository.ts',
      ]),
    );
    // Each repository names its own lib's tables in its SQL: the checks above see what it queries.
    for (const { lib, ast } of repositories) {
      const named = new Set<string>();
      visit(ast, (n) => {
        const text = literalText(n);
        if (text !== null) for (const m of text.matchAll(SQL_TABLE)) named.add(m[2]!.toLowerCase());
      });
      expect([...named].filter((t) => tables.get(t) === lib)).not.toEqual([]);
    }
  });

  it('keeps the SQL of the use-case services of children, referrals and sharing in their repositories', () => {
    const useCases = sources.filter(
      (s) =>
        (['referrals', 'sharing'].includes(s.lib) && s.file.endsWith('.service.ts')) ||
        (s.lib === 'children' &&
          /\/(children|child-access|child-matching|collaboration|shared-record)\.service\.ts$/.test(s.file)),
    );
    expect(useCases.length).toBeGreaterThanOrEqual(10);
    expect(useCases.flatMap((s) => queriesIn(s.file, s.ast))).toEqual([]);
    // The check itself can fail: a service that queries is caught, by SQL text and by call.
    const probe = ts.createSourceFile(
      'probe.service.ts',
      'await namedQuery(tx, `SELECT 1 FROM referral r`, {}); await tx.getRepository(Referral).save(r);',
      ts.ScriptTarget.Latest,
      true,
    );
    expect(queriesIn('probe.service.ts', probe)).toHaveLength(3);
  });

  it('catches a query on another lib’s table (the check itself can fail)', () => {
    const probe = ts.createSourceFile(
      'probe.ts',
      'const q = `SELECT 1 FROM referral r JOIN child c ON c.id = r.child_id`;',
      ts.ScriptTarget.Latest,
      true,
    );
    const found: string[] = [];
    visit(probe, (n) => {
      const text = literalText(n);
      if (text !== null) for (const m of text.matchAll(SQL_TABLE)) found.push(m[2]!);
    });
    expect(found).toEqual(['referral', 'child']);
  });
});
