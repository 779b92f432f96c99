import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Global, Inject, Injectable, type LoggerService, Module } from '@nestjs/common';
import pino, { type Level, type Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** A well-formed X-Request-Id from the caller (a gateway's), or a new one. */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Takes a well-formed X-Request-Id from the caller (a gateway's), or makes one; echoes it back. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdOf(req);
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
 * The id of the request being served, for every log line written while serving it: the HTTP
 * layer enters it once per request (`runWithRequestId`), and the logger's `mixin` reads it.
 * One store for the whole process; no logger is made per request.
 */
const requestIds = new AsyncLocalStorage<string>();

export function runWithRequestId<T>(id: string, fn: () => T): T {
  return requestIds.run(id, fn);
}

export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * Structured JSON logs. Every line written while a request is served carries its id (`reqId`),
 * added by a pino `mixin` from the AsyncLocalStorage above. Never logged: headers (tokens),
 * bodies (passwords, child data), query strings (a search query can hold a child's name).
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    mixin: () => {
      const reqId = requestIds.getStore();
      return reqId === undefined ? {} : { reqId };
    },
    redact: { paths: ['*.password', '*.clientSecret', '*.accessToken', '*.headers'], remove: true },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** The one line logged for a served request: method, path without its query string, status, time. */
export function logRequestCompleted(
  logger: Logger,
  req: { id?: unknown; method?: string; url?: string },
  statusCode: number,
  responseTimeMs: number,
): void {
  const level: Level = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  if ((req.url ?? '').startsWith('/health')) return;
  logger[level](
    {
      reqId: req.id,
      req: serializeRequest(req),
      res: { statusCode },
      responseTime: Math.round(responseTimeMs * 10) / 10,
    },
    'request completed',
  );
}

const NEST_LEVELS = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
} as const satisfies Record<string, Level>;

/**
 * Nest's logger on the root pino logger: `logger.warn({ err }, 'message')` from a Nest `Logger`
 * becomes one JSON line with `err`, the message and the context (the last string parameter).
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(nestLevel: keyof typeof NEST_LEVELS, message: unknown, params: unknown[]): void {
    const level = NEST_LEVELS[nestLevel];
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let rest = params;
    // A Nest Logger with a context passes it last.
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      fields.context = rest[rest.length - 1];
      rest = rest.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, typeof rest[0] === 'string' ? rest[0] : message.message);
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
      this.pino[level](fields, typeof rest[0] === 'string' ? rest[0] : undefined);
    } else if (nestLevel === 'error' && rest.length === 1 && typeof rest[0] === 'string' && rest[0].includes('\n')) {
      // Nest's own `error(message, stack)`.
      fields.err = { message: String(message), stack: rest[0] };
      this.pino.error(fields, String(message));
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

@Global()
@Module({})
export class LoggingModule {}

/** The root logger and Nest's logger on it (`app.useLogger(app.get(AppLogger))`). */
export function loggingModule(level: string): DynamicModule {
  return {
    module: LoggingModule,
    providers: [{ provide: ROOT_LOGGER, useFactory: () => createRootLogger(level) }, AppLogger],
    exports: [ROOT_LOGGER, AppLogger],
  };
}
