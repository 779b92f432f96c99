import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { spawnTs, type TsChild } from './support/child-process';

/**
 * Idempotency-Key across a real crash: the API runs in a child process that is killed with
 * SIGKILL at a chosen point of the write (test/support/crash-app.main.ts), then a fresh API
 * process gets the retry. Whatever the point, the referral exists once, and a retry after the
 * write committed gets the first answer.
 */
describe('Idempotency-Key across kill -9 of the API', () => {
  let db: Client;
  let toTeamId: string;
  const running: TsChild[] = [];

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    const { rows } = await db.query<{ id: string }>(
      `SELECT t.id FROM team t JOIN organisation o ON o.id = t.organisation_id WHERE o.code = 'NSP' AND t.name = 'CSE Unit'`,
    );
    toTeamId = rows[0].id;
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill9()));
    await db?.end();
  });

  /** A fresh API process; `pause` makes it stop dead at that point of the first referral insert. */
  const startApi = async (env: Record<string, string>) => {
    const api = spawnTs('test/support/crash-app.main.ts', { CRASH_TABLE: 'referral', ...env });
    running.push(api);
    const { port } = await api.waitFor<{ port: number }>((line) => typeof line.port === 'number');
    const base = `http://127.0.0.1:${port}/api/v1`;
    const tokenRes = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'southshire-police-case-system',
        client_secret: 'demo-client-secret',
      }),
    });
    const token = ((await tokenRes.json()) as { accessToken: string }).accessToken;
    const refer = (key: string, body: object) =>
      fetch(`${base}/referrals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    return { api, refer };
  };

  const referral = (label: string) => ({
    toTeamId,
    subject: { givenName: label, familyName: 'Crash', dateOfBirth: '2011-05-05' },
    reason: `Crash test ${label}`,
    rag: 'AMBER',
    consentObtained: true,
  });
  const stored = async (label: string) =>
    (await db.query<{ id: string }>('SELECT id FROM referral WHERE reason = $1', [`Crash test ${label}`])).rows;

  /** Sends the request to an API that stops at `pause`, and kills it there with SIGKILL. */
  const crashDuring = async (pause: 'before-commit' | 'after-commit', key: string, body: object) => {
    const { api, refer } = await startApi({ CRASH_PAUSE: pause });
    const attempt = refer(key, body).then(
      (res) => `answered ${res.status}`,
      () => 'no answer',
    );
    await api.waitFor((line) => line.paused === pause);
    await api.kill9();
    expect(await attempt).toBe('no answer');
  };

  /** The client's retry, honouring 409 IDEMPOTENCY.IN_PROGRESS and its Retry-After (a bounded number of times). */
  const retry = async (refer: (key: string, body: object) => Promise<Response>, key: string, body: object) => {
    for (let attempt = 0; attempt < 30; attempt++) {
      const res = await refer(key, body);
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status !== 409 || json.code !== 'IDEMPOTENCY.IN_PROGRESS') return { res, json };
      await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
    }
    throw new Error('still in progress after 30 retries');
  };

  it('replays the first answer when the process died right after the write committed', async () => {
    const label = `After${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    await crashDuring('after-commit', key, referral(label));
    const [first, ...others] = await stored(label);
    expect(first).toBeDefined();
    expect(others).toEqual([]);

    const { refer } = await startApi({ STALE_AFTER_MS: '1000' });
    const { res, json } = await retry(refer, key, referral(label));
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(json.id).toBe(first.id);
    expect(res.headers.get('location')).toBe(`/api/v1/referrals/${first.id}`);
    expect(await stored(label)).toHaveLength(1);
  });

  it('runs the request exactly once when the process died before the write committed', async () => {
    const label = `Before${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    await crashDuring('before-commit', key, referral(label));
    expect(await stored(label)).toEqual([]);

    const { refer } = await startApi({ STALE_AFTER_MS: '1000' });
    const { res, json } = await retry(refer, key, referral(label));
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    const again = await refer(key, referral(label));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(json.id);
    expect(await stored(label)).toEqual([{ id: json.id }]);
  });
});
