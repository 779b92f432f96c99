/**
 * Issue #17: the OpenAPI document's limits are the API's behaviour. Walks the app's own document
 * and, as a principal allowed to use each operation, sends one character or one item past every
 * maxLength and maxItems a request body, query or header states: each answer is a 400 naming that
 * field with the limit's own number. Also: the per-client rate-limit headers the document
 * promises are sent, and the caps behind two lists the document bounds hold.
 */
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestContext } from './support/app';
import { operationsOf, type Principal, principals, resolve, type Schema } from './support/openapi';

interface LimitCase {
  where: string;
  method: string;
  url: string;
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The field the 400 must name, and the number its message must give. */
  field: string;
  limit: number;
  uuid: boolean;
}

interface Over {
  /** The field a 400 names (a list of strings is named as a whole). */
  field: string;
  body: unknown;
  limit: number;
  uuid: boolean;
}

/** A body per maxLength and maxItems of a schema, each holding one value just past it and nothing else. */
function overLimits(doc: Schema, schema: Schema | undefined, path = '', build = (v: unknown) => v): Over[] {
  const s = resolve(doc, schema);
  const out: Over[] = [];
  if (s.type === 'string' && typeof s.maxLength === 'number') {
    const field = path.endsWith('.0') ? path.slice(0, -2) : path;
    out.push({ field, body: build('x'.repeat(s.maxLength + 1)), limit: s.maxLength, uuid: s.format === 'uuid' });
  }
  if (s.type === 'array') {
    const item = resolve(doc, s.items);
    if (typeof s.maxItems === 'number') {
      const one = item.type === 'string' ? (item.enum?.[0] ?? 'x') : item.type === 'object' ? {} : 1;
      out.push({ field: path, body: build(Array(s.maxItems + 1).fill(one)), limit: s.maxItems, uuid: false });
    }
    out.push(...overLimits(doc, s.items, `${path}.0`, (v) => build([v])));
  }
  if (s.type === 'object') {
    for (const [name, prop] of Object.entries<Schema>(s.properties ?? {})) {
      out.push(...overLimits(doc, prop, path ? `${path}.${name}` : name, (v) => build({ [name]: v })));
    }
  }
  return out;
}

describe('the OpenAPI contract holds (issue #17)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('refuses one character or item past every limit the document states, with a 400 naming the field', async () => {
    const { doc, operations } = operationsOf(t);
    const who = principals(t);
    const cases: LimitCase[] = [];
    for (const o of operations) {
      const params: Schema[] = o.op.parameters ?? [];
      const url = params
        .filter((p) => p.in === 'path')
        .reduce((u, p) => u.replace(`{${p.name}}`, randomUUID()), o.path);
      const where = `${o.method.toUpperCase()} ${o.path}`;
      const body = o.op.requestBody?.content?.['application/json']?.schema;
      if (body) {
        for (const c of overLimits(doc, body))
          cases.push({ ...c, where: `${where} body ${c.field}`, method: o.method, url });
      }
      for (const p of params) {
        const s = p.schema ?? {};
        if (p.in === 'query' && typeof s.maxLength === 'number') {
          cases.push({
            where: `${where} ?${p.name}`,
            method: o.method,
            url,
            query: { [p.name]: 'x'.repeat(s.maxLength + 1) },
            field: p.name,
            limit: s.maxLength,
            // A UUID parameter (a filter by id) refuses the long value as not a UUID, naming the field.
            uuid: s.format === 'uuid',
          });
        }
        if (p.in === 'header' && p.name === 'Idempotency-Key') {
          cases.push({
            where: `${where} header ${p.name}`,
            method: o.method,
            url,
            body: {},
            headers: { [p.name]: 'k'.repeat(s.maxLength + 1) },
            field: p.name,
            limit: s.maxLength,
            uuid: false,
          });
        }
      }
    }

    const failures: string[] = [];
    const seen = new Set<string>();
    for (const c of cases) {
      const principal: Principal = await who.for(c.method, c.where.split(' ')[1]!);
      let req = (t.http as any)[c.method](c.url);
      if (principal.authorization) req = req.set('Authorization', principal.authorization);
      // A key of its own, so that a partner system's POST is never refused for the want of one.
      if (c.method === 'post' && !c.headers) req = req.set('Idempotency-Key', randomUUID());
      for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
      if (c.query) req = req.query(c.query);
      const res = c.body === undefined ? await req : await req.send(c.body);
      const named = ((res.body?.errors ?? []) as { field: string; message: string }[]).filter(
        (e) => e.field === c.field || e.field.startsWith(`${c.field}.`),
      );
      const saysLimit = named.some((e) => e.message.includes(String(c.limit)) || (c.uuid && /UUID/.test(e.message)));
      if (res.status !== 400 || !saysLimit) {
        failures.push(`${c.where} (limit ${c.limit}) as ${principal.name}: ${res.status} ${res.text.slice(0, 240)}`);
      }
      seen.add(c.where.split(' ').slice(0, 2).join(' '));
    }
    expect(failures).toEqual([]);
    // Every route that takes a body or a bounded parameter was tried, and many limits on each.
    expect(seen.size).toBeGreaterThan(25);
    expect(cases.length).toBeGreaterThan(150);
  });

  const clientToken = async (ctx: TestContext) =>
    `Bearer ${
      (
        await ctx.http.post('/api/v1/auth/token').type('form').send({
          grant_type: 'client_credentials',
          client_id: 'southshire-police-case-system',
          client_secret: 'demo-client-secret',
        })
      ).body.accessToken as string
    }`;

  it('sends X-RateLimit-* on every answer to a partner system, the 429 with Retry-After and a problem; none to people', async () => {
    const limited = await startTestApp({ CLIENT_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      await limited.db.query('DELETE FROM rate_limit_window');
      const auth = await clientToken(limited);
      const ok = await limited.http.get('/api/v1/organisations').set('Authorization', auth);
      expect(ok.status).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
      expect(ok.headers['x-ratelimit-remaining']).toBe('2');
      expect(Number(ok.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      const missing = await limited.http.get(`/api/v1/referrals/${randomUUID()}`).set('Authorization', auth);
      expect(missing.status).toBe(404);
      expect(missing.headers['x-ratelimit-remaining']).toBe('1');
      await limited.http.get('/api/v1/organisations').set('Authorization', auth).expect(200);
      const refused = await limited.http.get('/api/v1/organisations').set('Authorization', auth);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.headers['x-ratelimit-limit']).toBe('3');
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      expect(refused.body.retryAfter).toBe(Number(refused.headers['retry-after']));
      const person = await limited.http
        .get('/api/v1/organisations')
        .set('Authorization', await limited.as('cse.officer@northshire-police.example'));
      expect(person.status).toBe(200);
      expect(person.headers['x-ratelimit-limit']).toBeUndefined();
    } finally {
      await limited.close();
    }
  });

  it('holds a partner system to 50 webhook subscriptions, so that its list stays within the maxItems it states', async () => {
    const auth = await clientToken(t);
    const { doc } = operationsOf(t);
    expect(doc.components.schemas.WebhookList.properties.data.maxItems).toBe(50);
    const [client] = await t.db.query(`SELECT id, organisation_id FROM api_client WHERE client_id = $1`, [
      'southshire-police-case-system',
    ]);
    const held = (
      await t.db.query('SELECT count(*)::int AS n FROM webhook_subscription WHERE client_id = $1', [client.id])
    )[0].n as number;
    await t.db.query(
      `INSERT INTO webhook_subscription (organisation_id, client_id, url, secret, events, active)
       SELECT $1, $2, 'https://hooks.partner.example/' || g, 'not-a-real-secret', '{child.linked}', false
         FROM generate_series(1, $3::int) g`,
      [client.organisation_id, client.id, 50 - held],
    );
    try {
      const refused = await t.http
        .post('/api/v1/webhooks')
        .set('Authorization', auth)
        .set('Idempotency-Key', randomUUID())
        .send({ url: 'https://hooks.partner.example/one-more', secret: 's'.repeat(32), events: ['child.linked'] });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('WEBHOOK.LIMIT_REACHED');
      const list = await t.http.get('/api/v1/webhooks').set('Authorization', auth);
      expect(list.body.data).toHaveLength(50);
    } finally {
      await t.db.query(
        `DELETE FROM webhook_subscription WHERE client_id = $1 AND url LIKE 'https://hooks.partner.example/%'`,
        [client.id],
      );
    }
  });

  it("holds a child's address history to 100 addresses, as ChildDto.addresses states", async () => {
    const { doc } = operationsOf(t);
    expect(doc.components.schemas.ChildDto.properties.addresses.maxItems).toBe(100);
    const auth = await t.as('social.worker@northshire-council.example');
    const created = await t.http
      .post('/api/v1/children')
      .set('Authorization', auth)
      .send({ givenName: 'Addie', familyName: `Mover${Date.now()}`, dateOfBirth: '2014-03-02' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const [row] = await t.db.query('SELECT organisation_id FROM involvement WHERE child_id = $1 LIMIT 1', [id]);
    await t.db.query(
      `INSERT INTO child_address (child_id, organisation_id, line1, town, postcode)
       SELECT $1, $2, g || ' Mill Lane', 'Northtown', 'NT1 4AB' FROM generate_series(1, 99) g`,
      [id, row.organisation_id],
    );
    const address = { line1: '1 Last Street', town: 'Northtown', postcode: 'NT1 4AB' };
    const hundredth = await t.http.post(`/api/v1/children/${id}/addresses`).set('Authorization', auth).send(address);
    expect(hundredth.status).toBe(201);
    expect(hundredth.body.addresses).toHaveLength(100);
    const refused = await t.http.post(`/api/v1/children/${id}/addresses`).set('Authorization', auth).send(address);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CHILD.TOO_MANY_ADDRESSES');
  });
});
