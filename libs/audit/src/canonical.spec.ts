import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, chainHash, GENESIS_HASH, sha256Hex } from './canonical';
import { canonicalEvent, type EventRow } from './event-row';

/** The same object with its keys (at every depth) in another order. */
function reordered(value: unknown, pick: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reordered(item, pick));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of pick(Object.keys(record))) out[key] = reordered(record[key], pick);
  return out;
}

const row: EventRow = {
  seq: '42',
  occurred_at: '2026-11-28T12:00:00.123000Z',
  actor_kind: 'user',
  actor_id: '8a1f5a8e-2b0c-4c53-9f44-0f2a3c1d9e10',
  actor_roles: ['social_worker'],
  organisation_id: '1c1e5b1a-7d37-4a3e-8a57-1a2b3c4d5e6f',
  action: 'child.read',
  subject_type: 'child',
  subject_ids: ['5d0c5a4e-9a61-4d43-8d2c-3f1f0b6a7e21'],
  child_ids: ['5d0c5a4e-9a61-4d43-8d2c-3f1f0b6a7e21'],
  outcome: 'allowed',
  break_glass: false,
  purpose: 'case_work',
  request_id: 'req-1',
  client_ip: '10.0.0.1',
  details: { fields: ['name', 'dob'], count: 1 },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,2]},"b":1}');
  });

  it('is independent of the order the keys were set in', () => {
    const a = { z: 1, y: [{ q: true, p: null }], x: { n: 'é', m: 2.5 } };
    const b = { x: { m: 2.5, n: 'é' }, y: [{ p: null, q: true }], z: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('writes dates as ISO strings', () => {
    expect(canonicalJson({ at: new Date('2026-11-28T12:00:00.5Z') })).toBe('{"at":"2026-11-28T12:00:00.500Z"}');
  });

  it('leaves out undefined properties and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"\n': 'line\nbreak "quoted" \u2028' })).toBe(
      JSON.stringify({ 'k"\n': 'line\nbreak "quoted" \u2028' }),
    );
  });

  it('refuses what has no single JSON form', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
    expect(() => canonicalJson(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('is deterministic and key-order independent for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        // The test's own re-ordering helper assigns keys, and assigning "__proto__" sets a prototype.
        fc.pre(!JSON.stringify(value).includes('"__proto__"'));
        const shuffle = (keys: string[]) =>
          [...keys].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7) || (a < b ? 1 : -1));
        const once = canonicalJson(value);
        expect(canonicalJson(reordered(value, shuffle))).toBe(once);
        expect(canonicalJson(reordered(value, (keys) => [...keys].reverse()))).toBe(once);
        // And it is JSON, meaning the same value.
        expect(JSON.parse(once)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('hashes', () => {
  it('sha256Hex is the hex SHA-256 of the UTF-8 text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('é')).toBe(
      createHash('sha256')
        .update(Buffer.from([0xc3, 0xa9]))
        .digest('hex'),
    );
  });

  it('the genesis prevHash is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('chainHash is sha256hex(prevHash + canonicalJson(event))', () => {
    const event = canonicalEvent(row);
    expect(chainHash(GENESIS_HASH, event)).toBe(sha256Hex(GENESIS_HASH + canonicalJson(event)));
    expect(chainHash(GENESIS_HASH, event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with the previous link and with every column of the event', () => {
    const base = chainHash(GENESIS_HASH, canonicalEvent(row));
    expect(chainHash('f'.repeat(64), canonicalEvent(row))).not.toBe(base);
    const changes: Partial<EventRow>[] = [
      { seq: '43' },
      { occurred_at: '2026-11-28T12:00:00.123001Z' },
      { actor_kind: 'client' },
      { actor_id: '8a1f5a8e-2b0c-4c53-9f44-0f2a3c1d9e11' },
      { actor_roles: ['social_worker', 'team_manager'] },
      { organisation_id: '1c1e5b1a-7d37-4a3e-8a57-1a2b3c4d5e60' },
      { action: 'child.update' },
      { subject_type: 'section' },
      { subject_ids: [] },
      { child_ids: [] },
      { outcome: 'denied' },
      { break_glass: true },
      { purpose: 'inspection' },
      { request_id: null },
      { client_ip: null },
      { details: { fields: ['dob', 'name'], count: 1 } },
    ];
    const hashes = changes.map((change) => chainHash(GENESIS_HASH, canonicalEvent({ ...row, ...change })));
    expect(new Set([base, ...hashes]).size).toBe(changes.length + 1);
  });

  it('covers every column of the event', () => {
    expect(Object.keys(canonicalEvent(row)).sort()).toEqual(
      [
        'action',
        'actorId',
        'actorKind',
        'actorRoles',
        'breakGlass',
        'childIds',
        'clientIp',
        'details',
        'occurredAt',
        'organisationId',
        'outcome',
        'purpose',
        'requestId',
        'seq',
        'subjectIds',
        'subjectType',
      ].sort(),
    );
  });

  it('refuses a prevHash that is not 64 hex digits', () => {
    expect(() => chainHash('abc', {})).toThrow(TypeError);
  });
});
