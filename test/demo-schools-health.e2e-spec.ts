/**
 * The schools and health demo data (issue 15), seeded into a database of its own (the suite's
 * shared demo world leaves it out: its journeys put Leah on the roll themselves), then read
 * through the API as the demo users would: Riverside's roll, Amelia's file received at Hillside,
 * Ruby's support plan with two reviews.
 */
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrationsLocked } from '@app/platform';
import { seedDemoChildren } from '../apps/api/src/seed/demo-children';
import { seedDemoSchoolsAndHealth } from '../apps/api/src/seed/demo-schools-health';
import { seedDemoWorld } from '../apps/api/src/seed/demo-world';
import { SCHEMA } from '../migrations/schema';
import { DEMO_PASSWORD, startTestApp, type TestContext } from './support/app';
import { spawnTs, type TsChild } from './support/child-process';
import { createRunDatabase, dropRunDatabase } from './support/database';

const base = process.env.DATABASE_URL;

describe('demo world: schools and health', () => {
  let url: string;
  let embedded: TsChild | undefined;
  let t: TestContext;

  beforeAll(async () => {
    // A database of its own: beside the real PostgreSQL's, or a second embedded one.
    if (base) url = await createRunDatabase(base);
    else {
      // PGlite does not load inside a Jest test file: a process of its own.
      embedded = spawnTs('test/support/embedded-server.main.ts');
      ({ url } = await embedded.waitFor<{ url: string }>((line) => typeof line.url === 'string'));
    }
    const ds = await new DataSource(buildDataSourceOptions(url, SCHEMA, { poolMax: 2 })).initialize();
    try {
      await runMigrationsLocked(ds);
      await seedDemoWorld(ds, DEMO_PASSWORD, { clientSecret: 'demo-client-secret' });
      await seedDemoChildren(ds);
      expect(await seedDemoSchoolsAndHealth(ds)).toBe(true);
      // Once only.
      expect(await seedDemoSchoolsAndHealth(ds)).toBe(false);
    } finally {
      await ds.destroy();
    }
    t = await startTestApp({}, { databaseUrl: url });
  });
  afterAll(async () => {
    await t?.close();
    if (base && url) await dropRunDatabase(base, url);
    await embedded?.stop();
  });

  const get = async (who: string, path: string) => t.http.get(path).set('Authorization', await t.as(who));

  it("Riverside's roll: Leah on it; Amelia left for Hillside High School, on its roll now", async () => {
    const roll = await get('dsl@riverside-academy.example', '/api/v1/education/pupils?limit=100');
    expect(roll.status).toBe(200);
    expect(roll.body.data.map((p: any) => p.givenName).sort()).toEqual(['Leah']);
    const hillside = await get('dsl@hillside-high.example', '/api/v1/education/pupils?limit=100');
    expect(hillside.body.data.map((p: any) => p.givenName)).toEqual(['Amelia']);
  });

  it("Hillside's DSL reads Amelia's file as received, with its provenance", async () => {
    const pupils = await get('dsl@hillside-high.example', '/api/v1/education/pupils?limit=100');
    const file = await get('dsl@hillside-high.example', `/api/v1/education/pupils/${pupils.body.data[0].id}/file`);
    expect(file.status).toBe(200);
    expect(file.body.receivedFiles).toHaveLength(1);
    expect(file.body.receivedFiles[0].fromSchool).toBe('Riverside Academy');
    const copy = await get(
      'dsl@hillside-high.example',
      `/api/v1/education/transfers/${file.body.receivedFiles[0].transferId}`,
    );
    expect(copy.status).toBe(200);
    expect(copy.body).toMatchObject({ status: 'RECEIVED', overdue: false });
    expect(copy.body.file.provenance.fromSchool.name).toBe('Riverside Academy');
    expect(copy.body.file.pupil.upn).toBe('B801200005001');
  });

  it("Ruby's support plan: the nurse is key worker, two reviews, the next one due", async () => {
    const list = await get('nurse@northshire-nhs.example', '/api/v1/support-plans');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    const plan = await get('nurse@northshire-nhs.example', `/api/v1/support-plans/${list.body.data[0].id}`);
    expect(plan.body).toMatchObject({ status: 'ACTIVE', reviewOverdue: false, version: 3 });
    expect(plan.body.reviews).toHaveLength(2);
    expect(
      (await get('social.worker@northshire-council.example', `/api/v1/support-plans/${plan.body.id}`)).status,
    ).toBe(404);
  });
});
