import { canonicalJson } from './canonical-json';
import { idempotencyRequestHash } from './idempotency.interceptor';

describe('canonicalJson', () => {
  it('sorts the keys of every object, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}',
    );
    expect(canonicalJson([2, 1])).toBe('[2,1]');
  });

  it('treats no body as null and drops undefined fields as JSON does', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('idempotencyRequestHash', () => {
  it('is the same for the same request in another key order, different for another method, URL or body', () => {
    const h = idempotencyRequestHash('POST', '/api/v1/x', { a: 1, b: 2 });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyRequestHash('POST', '/api/v1/x', { b: 2, a: 1 })).toBe(h);
    expect(idempotencyRequestHash('PUT', '/api/v1/x', { a: 1, b: 2 })).not.toBe(h);
    expect(idempotencyRequestHash('POST', '/api/v1/y', { a: 1, b: 2 })).not.toBe(h);
    expect(idempotencyRequestHash('POST', '/api/v1/x', { a: 1, b: 3 })).not.toBe(h);
  });
});
