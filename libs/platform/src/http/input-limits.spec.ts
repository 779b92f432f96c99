import { bodyLimitFor, findInputProblem, INPUT_LIMITS, malformedRequestResponse } from './input-limits';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('findInputProblem', () => {
  it('passes what the API accepts: nested objects, lists, unicode, numbers', () => {
    const body = {
      name: 'Zoë O’Brien 🙂',
      parties: [{ organisationId: 'x', receivableClasses: ['identity', 'contact'] }],
      n: 1e308,
      flag: false,
      none: null,
    };
    expect(findInputProblem(body, 'body')).toBeNull();
    expect(findInputProblem(nested(INPUT_LIMITS.depth - 1), 'body')).toBeNull();
  });

  it('names the field holding a NUL character, however deep, in a value or a key', () => {
    expect(findInputProblem({ client_id: 'a\u0000' }, 'body')).toEqual({
      field: 'client_id',
      message: 'client_id must not contain a NUL character',
    });
    expect(findInputProblem({ parties: [{ classes: ['ok', 'b\u0000d'] }] }, 'body')?.field).toBe('parties.0.classes.1');
    expect(findInputProblem({ ['evil\u0000key']: 1 }, 'body')?.field).toBe('evil\\u0000key');
    expect(findInputProblem({ q: 'x\u0000' }, 'query')?.field).toBe('q');
  });

  it('refuses depth, width, long lists and too many values, naming where', () => {
    expect(findInputProblem(nested(10_000), 'body')).toEqual({
      field: 'a.a.a.a.a.a.a.a',
      message: `a.a.a.a.a.a.a.a must be nested at most ${INPUT_LIMITS.depth} levels deep`,
    });
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    expect(findInputProblem(wide, 'body')?.field).toBe('body');
    expect(findInputProblem({ list: new Array(INPUT_LIMITS.arrayItems + 1).fill(1) }, 'body')?.field).toBe('list');
    const many = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`k${i}`, Array.from({ length: 60 }, (__, j) => j)]),
    );
    expect(findInputProblem(many, 'body')).toEqual({
      field: 'body',
      message: `body must hold at most ${INPUT_LIMITS.values} values`,
    });
  });

  it('keeps the body limit small on the unauthenticated routes', () => {
    expect(bodyLimitFor('/api/v1/auth/login')).toBe(8 * 1024);
    expect(bodyLimitFor('/api/v1/auth/token')).toBe(8 * 1024);
    expect(bodyLimitFor('/api/v1/children')).toBe(1024 * 1024);
  });
});

describe('malformedRequestResponse', () => {
  it('answers a NUL in a header with problem+json naming the header', () => {
    const raw = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Purpose-Of-Use: a\u0000b\r\n\r\n', 'latin1');
    const response = malformedRequestResponse({ code: 'HPE_INVALID_HEADER_TOKEN', rawPacket: raw });
    const [head, body] = response.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('Content-Type: application/problem+json');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toMatchObject({
      status: 400,
      errors: [{ field: 'x-purpose-of-use', message: 'x-purpose-of-use must not contain control characters' }],
    });
  });

  it('keeps the statuses Node gives oversized headers and timeouts', () => {
    expect(malformedRequestResponse({ code: 'HPE_HEADER_OVERFLOW' })).toMatch(/^HTTP\/1\.1 431 /);
    expect(malformedRequestResponse({ code: 'ERR_HTTP_REQUEST_TIMEOUT' })).toMatch(/^HTTP\/1\.1 408 /);
    expect(malformedRequestResponse({ code: 'HPE_INVALID_METHOD' })).toMatch(/^HTTP\/1\.1 400 /);
  });
});
