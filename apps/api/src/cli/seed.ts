import 'reflect-metadata';
import { loadConfig, runMigrationsLocked } from '@app/platform';
import { seedCouncilYear } from '../seed/council-year';
import { seedDemoChildren } from '../seed/demo-children';
import { seedDemoSchoolsAndHealth } from '../seed/demo-schools-health';
import { seedDemoWorld } from '../seed/demo-world';
import { fail, openDatabase } from './database';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.nodeEnv === 'production') fail('The demo world is never seeded in production.');
  const { ds, close } = await openDatabase();
  try {
    await runMigrationsLocked(ds);
    const result = await seedDemoWorld(ds, config.demoPassword);
    const children = await seedDemoChildren(ds);
    await seedDemoSchoolsAndHealth(ds);
    console.log(
      `Demo world seeded: ${result.organisations} organisations, ${result.users} users, ${children} new children.`,
    );
    // `npm run seed -- --council-year [--cases 2000 | --children N] [--year 2026] [--seed N]`: a year of
    // Northshire Council's children's services for the CIN census and Ofsted's Annex A to have real
    // content; `--children` sizes it by children in need instead of cases (the census bench).
    const argv = process.argv.slice(2);
    if (argv.includes('--council-year')) {
      const arg = (name: string) => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : undefined;
      };
      const cases = arg('cases') ?? 2000;
      if (!Number.isInteger(cases) || cases < 1) fail('--cases must be a positive whole number');
      const children = arg('children');
      if (children !== undefined && (!Number.isInteger(children) || children < 1))
        fail('--children must be a positive whole number');
      await seedCouncilYear(ds, {
        cases,
        children,
        year: arg('year'),
        seed: arg('seed'),
        progress: (m) => console.log(m),
      });
    }
  } finally {
    await close();
  }
}

main().catch(fail);
