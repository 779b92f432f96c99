import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdFor, serializeRequest, serializeResponse } from './logging';

describe('request logging', () => {
  it('logs the path without its query string, and no headers or body', () => {
    const line = serializeRequest({
      id: 'r1',
      method: 'GET',
      url: '/api/v1/children?name=Jane%20Doe&dob=2012-01-01',
      ...({ headers: { authorization: 'Bearer secret' }, body: { password: 'pw' } } as object),
    });
    expect(line).toEqual({ id: 'r1', method: 'GET', path: '/api/v1/children' });
    expect(JSON.stringify(line)).not.toMatch(/Jane|secret|pw/);
    expect(serializeResponse({ statusCode: 201, ...({ headers: { 'set-cookie': 'x' } } as object) })).toEqual({
      statusCode: 201,
    });
  });

  it('reuses a well-formed incoming request id and replaces a malformed one', () => {
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as ServerResponse;
    expect(requestIdFor({ headers: { 'x-request-id': 'abc-12345' } } as unknown as IncomingMessage, res)).toBe(
      'abc-12345',
    );
    expect(headers['X-Request-Id']).toBe('abc-12345');
    const made = requestIdFor({ headers: { 'x-request-id': '<script>' } } as unknown as IncomingMessage, res);
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
  });
});
