/**
 * The worker logs as the API does (issue 11): one pino JSON object a line, numeric levels, `time`
 * and `msg`, Nest's own lines through the same logger with their `context`; so one log pipeline
 * (and `npm start`'s pretty printer) reads both processes alike.
 */
import { spawnTs, type TsChild } from './support/child-process';
import { createRunDatabase, dropRunDatabase } from './support/database';

const base = process.env.DATABASE_URL;

describe('worker logs', () => {
  let url: string;
  let embedded: TsChild | undefined;
  let worker: TsChild | undefined;

  beforeAll(async () => {
    if (base) url = await createRunDatabase(base);
    else {
      embedded = spawnTs('test/support/embedded-server.main.ts');
      ({ url } = await embedded.waitFor<{ url: string }>((line) => typeof line.url === 'string'));
    }
  });
  afterAll(async () => {
    await worker?.stop();
    if (base && url) await dropRunDatabase(base, url);
    await embedded?.stop();
  });

  it("writes the API's line shape: pino levels, time, msg; Nest's lines with their context", async () => {
    worker = spawnTs('apps/worker/src/main.ts', { DATABASE_URL: url, LOG_LEVEL: 'info', NODE_ENV: 'test' });
    const nest = await worker.waitFor((l) => typeof l.context === 'string');
    const ready = await worker.waitFor((l) => l.msg === 'Worker running');
    for (const line of [nest, ready]) {
      expect(line).toMatchObject({ level: 30, time: expect.any(Number), msg: expect.any(String) });
      expect(line).not.toHaveProperty('message');
      expect(line).not.toHaveProperty('timestamp');
    }
  });
});
