import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrationsLocked } from '@app/platform';
import { fail, openDatabase } from './database';

// Migrations live in the source tree; this runs from dist/apps/api/src/cli.
const MIGRATIONS_DIR = join(__dirname, '../../../../../migrations');

const indent = (queries: { query: string; parameters?: unknown[] }[]) =>
  queries
    .map(
      (q) =>
        `    await queryRunner.query(${JSON.stringify(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`,
    )
    .join('\n');

async function generate(name: string | undefined): Promise<void> {
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) fail('usage: npm run migration:generate -- <PascalName>');
  const { ds, close } = await openDatabase();
  try {
    await runMigrationsLocked(ds);
    const sql = await ds.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log('No changes: entities and migrations agree.');
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const file = `${timestamp}-${name}.ts`;
    const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${indent(sql.upQueries)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${indent([...sql.downQueries].reverse())}
  }
}
`;
    writeFileSync(join(MIGRATIONS_DIR, file), body);
    const indexFile = join(MIGRATIONS_DIR, 'index.ts');
    const index = readFileSync(indexFile, 'utf8');
    const imports: string[] = index.match(/^import .*$/gm) ?? [];
    const names: string[] = [...index.matchAll(/^import \{ (\w+) \}/gm)].map((m) => m[1] ?? '');
    imports.push(`import { ${className} } from './${file.replace(/\.ts$/, '')}';`);
    names.push(className);
    writeFileSync(
      indexFile,
      `// Maintained by \`npm run migration:generate\`: migrations in the order they run.\n${imports.join('\n')}\n\nexport const MIGRATIONS = [\n${names.map((n) => `  ${n},`).join('\n')}\n];\n`,
    );
    console.log(`Wrote migrations/${file}; review it before committing.`);
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  if (command === 'generate') return generate(arg);
  const { ds, close } = await openDatabase();
  try {
    if (command === 'run') {
      const applied = await runMigrationsLocked(ds);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply.');
    } else if (command === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration.');
    } else {
      fail('usage: migrate.js run|revert|generate <Name>');
    }
  } finally {
    await close();
  }
}

main().catch(fail);
