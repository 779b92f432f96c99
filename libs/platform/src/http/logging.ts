import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Takes a well-formed X-Request-Id from the caller (a gateway's), or makes one; echoes it back. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

export function serializeRequest(req: { id?: unknown; method?: string; url?: string }) {
  return { id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] };
}

export function serializeResponse(res: { statusCode?: number }) {
  return { statusCode: res.statusCode };
}

/**
 * Structured JSON logs, one request id on every line of a request. Deliberately logged: method,
 * path without its query string (a search query can hold a child's name), status, timing.
 * Never logged: headers (tokens), bodies (passwords, child data), query strings.
 */
export function loggingModule(level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      genReqId: requestIdFor,
      serializers: { req: serializeRequest, res: serializeResponse },
      redact: { paths: ['req.headers', 'res.headers', '*.password', '*.clientSecret', '*.accessToken'], remove: true },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  });
}
