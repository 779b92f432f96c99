/**
 * Issue #10, the fuzz test: walks the app's own OpenAPI document and sends every operation
 * malformed input, as a principal whose role may use it: bad UUIDs in path parameters, forged
 * cursors, NUL bytes in each string field and parameter, wrong types, huge numbers, overlong
 * strings, deep and wide bodies, odd headers. No answer may be a 5xx; every error is
 * problem+json; a 400 names the field or parameter that was broken.
 *
 * Bounded and deterministic: values and the sample of cases come from fast-check with a fixed
 * seed, so a run sends the same ~600 requests every time. Bodies start empty (or a record is
 * addressed by a random UUID that exists nowhere), so no case can create anything.
 */
import fc from 'fast-check';
import request from 'supertest';
import { startTestApp, type TestContext } from './support/app';
import { operationsOf, type Operation, type Principal, principals, resolve, type Schema } from './support/openapi';

const SEED = 10_10;
/** Cases drawn per operation beyond those it always gets. */
const OPTIONAL_PER_OPERATION = 5;

const sample = <T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] => fc.sample(arb, { seed, numRuns: n });
const pick = <T>(items: T[], n: number, seed: number): T[] =>
  items.length <= n ? items : sample(fc.shuffledSubarray(items, { minLength: n, maxLength: n }), 1, seed)[0]!;

const nested = (levels: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};
const wide = (keys: number) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
const unsigned = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** Values a parameter or field of any type must survive (no 5xx). */
const HOSTILE_SCALARS = [
  'x'.repeat(4_000),
  '1e309',
  '-9223372036854775809',
  '99999999999999999999999999',
  'NaN',
  "'; DROP TABLE child; --",
  '%00',
  '../../etc/passwd',
  'ｕｎｉｃｏｄｅ 🙂 \u202e',
];
const BAD_UUIDS = ['not-a-uuid', '0b6f5a3c-1d2e-4f60-8a7b-9c0d1e2f3a4bx', "' OR 1=1 --", ' ', '1e309', 'x'.repeat(300)];
const FORGED_CURSORS = [
  unsigned(['2026-13-45', 'not-a-uuid']),
  unsigned(['a', 'b', 'c']),
  unsigned([1e308, null]),
  'not-a-cursor',
  `${unsigned(['a'])}.AAAAAAAAAAAAAAAAAAAAAA`,
];

interface Case {
  label: string;
  method: string;
  url: string;
  query?: Record<string, unknown>;
  body?: unknown;
  raw?: { type: string; text: string };
  headers?: Record<string, string>;
  /** A 400 is required, naming this field (or a field under it). */
  mustName?: string;
  /** If the answer is a 400, it names this field: the only thing wrong with the request. */
  namesIfRefused?: string;
  /** This status is required (413 for a body past the size limit). */
  status?: number;
}

const names = (body: any, field: string): boolean =>
  Array.isArray(body?.errors) &&
  body.errors.some((e: { field?: unknown }) => e.field === field || String(e.field).startsWith(`${field}.`));

function wrongTypes(schema: Schema): unknown[] {
  switch (schema.type) {
    case 'string':
      return [12345, { a: 'b' }, ['x'], true];
    case 'number':
    case 'integer':
      return ['not a number', { a: 1 }, [1]];
    case 'boolean':
      return ['yes', 1, { a: true }];
    case 'array':
      return ['x', { a: 1 }, 7];
    default:
      return ['x', 7, [1]];
  }
}

function otherValues(schema: Schema): unknown[] {
  const values: unknown[] = [nested(40), wide(500), new Array(500).fill('x'), null];
  if (schema.type === 'string' || schema.type === undefined) values.push('x'.repeat(30_000), '', ' ', 'ü\u202e🙂');
  if (schema.type === 'number' || schema.type === 'integer') values.push(1e308, -1e308, 2 ** 63, 1.5, -1, 0);
  if (schema.type === 'array') values.push([null], [{ a: 1 }], ['x'.repeat(30_000)], [1e308]);
  return values;
}

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`;

/**
 * The cases of one operation: those it always gets (a NUL in each string field and parameter, a
 * wrong type for each field, a bad UUID for each path parameter, a forged cursor, an unknown
 * field), and OPTIONAL_PER_OPERATION drawn from the rest (huge numbers, overlong strings, deep
 * and wide values, random JSON, odd headers, whole bodies of the wrong shape).
 */
function casesFor(o: Operation, doc: Schema, seed: number): Case[] {
  const always: Case[] = [];
  const optional: Case[] = [];
  const params: Schema[] = o.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name as string);
  const ids = sample(fc.uuid({ version: 4 }), pathParams.length, seed);
  const urlWith = (overrides: Record<string, string> = {}) =>
    pathParams.reduce((url, p, i) => url.replace(`{${p}}`, encodeURIComponent(overrides[p] ?? ids[i]!)), o.path);
  const base = { method: o.method, url: urlWith() };
  const hasBody = o.op.requestBody?.content?.['application/json'] !== undefined;
  const emptyBody = hasBody ? { body: {} } : {};
  const smallBodies = o.path.startsWith('/api/v1/auth/');

  pathParams.forEach((p, i) => {
    always.push({ ...base, ...emptyBody, label: `path ${p} NUL`, url: urlWith({ [p]: 'a\u0000b' }), mustName: p });
    const [bad, ...more] = pick(BAD_UUIDS, 3, seed + i);
    always.push({
      ...base,
      ...emptyBody,
      label: `path ${p}=${bad!.slice(0, 20)}`,
      url: urlWith({ [p]: bad! }),
      mustName: p,
    });
    for (const value of more) {
      optional.push({
        ...base,
        ...emptyBody,
        label: `path ${p}=${value.slice(0, 20)}`,
        url: urlWith({ [p]: value }),
        mustName: p,
      });
    }
  });

  params
    .filter((p) => p.in === 'query')
    .forEach((p, i) => {
      const q = p.name as string;
      always.push({ ...base, label: `query ${q} NUL`, query: { [q]: 'x\u0000y' }, mustName: q });
      if (q === 'cursor') {
        // Where a record comes first (a child's chronology), a random id is a 404 before the cursor is read.
        const expect = pathParams.length > 0 ? { namesIfRefused: q } : { mustName: q };
        const [forged, ...more] = pick(FORGED_CURSORS, 3, seed + i);
        always.push({ ...base, label: `query cursor=${forged!.slice(0, 20)}`, query: { cursor: forged }, ...expect });
        for (const value of more)
          optional.push({ ...base, label: `query cursor=${value.slice(0, 20)}`, query: { cursor: value }, ...expect });
        return;
      }
      optional.push({ ...base, label: `query ${q} twice`, query: { [q]: ['a', 'b'] }, namesIfRefused: q });
      const values = [...HOSTILE_SCALARS, ...sample(fc.string({ unit: 'binary-ascii', maxLength: 40 }), 2, seed + i)];
      for (const value of values) {
        optional.push({
          ...base,
          label: `query ${q}=${JSON.stringify(value).slice(0, 30)}`,
          query: { [q]: value },
          namesIfRefused: q,
        });
      }
    });

  for (const p of params.filter((p) => p.in === 'header')) {
    if (p.name.toLowerCase() === 'authorization') {
      // Basic credentials are decoded from the header: the same rules as the body's fields.
      for (const [label, value] of [
        ['NUL', basic('a\u0000:b')],
        ['bad escape', basic('%zz:b')],
      ]) {
        always.push({
          ...base,
          ...emptyBody,
          body: { grant_type: 'client_credentials' },
          label: `header authorization ${label}`,
          headers: { authorization: value! },
          mustName: 'authorization',
        });
      }
      optional.push({
        ...base,
        ...emptyBody,
        label: 'header authorization long',
        headers: { authorization: basic(`${'x'.repeat(3000)}:y`) },
      });
      continue;
    }
    for (const value of ['x'.repeat(6_000), '%00', '"W/-1"', '-1', '99999999999999999999', '\u00fc']) {
      optional.push({
        ...base,
        ...emptyBody,
        label: `header ${p.name}=${value.slice(0, 20)}`,
        headers: { [p.name]: value },
      });
    }
  }

  if (hasBody) {
    const schema = resolve(doc, o.op.requestBody.content['application/json'].schema);
    Object.entries<Schema>(schema.properties ?? {}).forEach(([name, raw], i) => {
      const prop = resolve(doc, raw);
      const nul = i % 2 === 0 ? 'a\u0000b' : ['ok', { x: 'a\u0000' }];
      always.push({ ...base, label: `body ${name} NUL`, body: { [name]: nul }, mustName: name });
      const [wrong, ...otherWrong] = pick(wrongTypes(prop), 2, seed + i);
      always.push({ ...base, label: `body ${name}=${JSON.stringify(wrong)}`, body: { [name]: wrong }, mustName: name });
      for (const value of [
        ...otherWrong,
        ...otherValues(prop),
        ...sample(fc.jsonValue({ maxDepth: 3 }), 2, seed + i),
      ]) {
        optional.push({
          ...base,
          label: `body ${name}=${JSON.stringify(value)?.slice(0, 30)}`,
          body: { [name]: value },
        });
      }
    });
    always.push({ ...base, label: 'body unknown field', body: { notAField: 1 }, mustName: 'notAField' });
    optional.push(
      {
        ...base,
        label: 'body 5,000 keys',
        body: wide(5_000),
        ...(smallBodies ? { status: 413 } : { mustName: 'body' }),
      },
      {
        ...base,
        label: 'body 10,000 deep',
        raw: { type: 'application/json', text: '['.repeat(10_000) + ']'.repeat(10_000) },
      },
      { ...base, label: 'body an array', body: [{}] },
      { ...base, label: 'body a string', raw: { type: 'application/json', text: '"x"' } },
      { ...base, label: 'body malformed JSON', raw: { type: 'application/json', text: '{"a":' } },
      { ...base, label: 'body as text', raw: { type: 'text/plain', text: 'hello' } },
      {
        ...base,
        label: 'body prototype keys',
        raw: { type: 'application/json', text: '{"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}' },
      },
    );
  }
  return [...always, ...pick(optional, OPTIONAL_PER_OPERATION, seed + 7)];
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

describe('fuzz: every operation of the OpenAPI document with malformed input (issue #10)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('never answers 5xx; errors are problem+json; a 400 names the broken field', async () => {
    const { doc, operations } = operationsOf(t);
    const who = principals(t);
    const work: { o: Operation; principal: Principal; c: Case; n: number }[] = [];
    for (const [i, o] of operations.entries()) {
      const principal = await who.for(o.method, o.path);
      for (const c of casesFor(o, doc, SEED + i * 101)) work.push({ o, principal, c, n: work.length });
    }
    // One listening server for the whole run, four requests in flight.
    await t.app.listen(0, '127.0.0.1');
    const http = request(await t.app.getUrl());
    const failures: string[] = [];
    await inParallel(work, 4, async ({ o, principal, c, n }) => {
      const req = (http as any)[c.method](c.url);
      if (principal.authorization) req.set('Authorization', principal.authorization);
      // Partner systems send a key with every POST; a fresh one per case never replays.
      if (principal.kind === 'client' && c.method === 'post') req.set('Idempotency-Key', `fuzz-${SEED}-${n}`);
      for (const [k, v] of Object.entries(c.headers ?? {})) req.set(k, v);
      if (c.query) req.query(c.query);
      const res = c.raw
        ? await req.set('Content-Type', c.raw.type).send(c.raw.text)
        : c.body !== undefined
          ? await req.send(c.body)
          : await req;
      const where = `${o.method.toUpperCase()} ${o.path} [${c.label}] as ${principal.name}`;
      const type = String(res.headers['content-type'] ?? '');
      if (res.status >= 500) failures.push(`${where}: ${res.status} ${res.text.slice(0, 200)}`);
      else if (res.status >= 400 && !type.includes('application/problem+json'))
        failures.push(`${where}: ${res.status} as ${type}`);
      else if (c.status !== undefined && res.status !== c.status)
        failures.push(`${where}: ${res.status} != ${c.status}`);
      else if (c.mustName && !(res.status === 400 && names(res.body, c.mustName)))
        failures.push(`${where}: ${res.status} does not name ${c.mustName}: ${res.text.slice(0, 200)}`);
      else if (c.namesIfRefused && res.status === 400 && !names(res.body, c.namesIfRefused))
        failures.push(`${where}: 400 does not name ${c.namesIfRefused}: ${res.text.slice(0, 200)}`);
    });
    expect(failures.sort()).toEqual([]);
    // Bounded: the same cases every run, several per operation.
    expect(work.length).toBeGreaterThan(operations.length * 5);
    expect(work.length).toBeLessThan(operations.length * 15);
  });
});
