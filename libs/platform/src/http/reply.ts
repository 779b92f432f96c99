/**
 * What the platform's filter and interceptors need of a response and a request. The API runs on
 * Fastify (`FastifyReply`); these structural types also fit Express, which tests of the platform
 * alone may use.
 */
export interface HttpReply {
  statusCode: number;
  header(name: string, value: string | number): unknown;
  getHeader(name: string): unknown;
  status(code: number): unknown;
}

/** Whether the response has already gone (Fastify `reply.sent`, Express `res.headersSent`). */
export function replySent(res: object): boolean {
  return (res as { sent?: unknown }).sent === true || (res as { headersSent?: unknown }).headersSent === true;
}

/** The request's path, without its query string. */
export function requestPath(req: { originalUrl?: string; url?: string }): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0]!;
}
