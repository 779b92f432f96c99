import 'reflect-metadata';
import { loadConfig, runMigrationsLocked } from '@app/platform';
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
  } finally {
    await close();
  }
}

main().catch(fail);
