import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { bodyLimitFor } from '../http/input-limits';
import { type HttpReply, replySent, requestPath } from '../http/reply';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-unavailable';
import { DomainError } from './domain-error';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Database errors that mean the request's input got past validation: a null into a NOT NULL column
 * (`@IsOptional()` lets null through), a date or time PostgreSQL cannot read. The caller gets a 400
 * naming the field (the column, when the driver names it), not a 500; the filter logs each as a
 * validation gap to close where it was found.
 */
const INPUT_BACKSTOP = new Set(['23502', '22007', '22008']);

const slug = (code: string): string => code.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** What the HTTP layer says of a body it refused before any route saw it (Fastify's content-type parsers). */
const PARSER_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE:
    'The request body must be application/json (application/x-www-form-urlencoded where a route says so).',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty but its Content-Type says JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length.',
  FST_ERR_CTP_INVALID_TYPE: 'The Content-Type header is not valid.',
  FST_ERR_CTP_EMPTY_TYPE: 'The Content-Type header is empty.',
};

/**
 * `bodyLimit`: the request's body limit, for a 413 from the body parser that does not carry it.
 */
export function toProblem(exception: unknown, bodyLimit?: number): Problem {
  if (exception instanceof DomainError) {
    // Extensions first: they can never overwrite the standard members (status above all).
    return {
      ...exception.extensions,
      type: `/problems/${slug(exception.code)}`,
      title: exception.title,
      status: exception.status,
      detail: exception.detail,
      code: exception.code,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : typeof body === 'object' && body !== null && 'message' in body
          ? String((body as { message: unknown }).message)
          : exception.message;
    const code = (TITLES[status] ?? 'Error').toUpperCase().replace(/ /g, '_');
    const cause = exception.cause as { limit?: unknown; code?: unknown } | undefined;
    const limit = typeof cause?.limit === 'number' ? cause.limit : bodyLimit;
    if (status === 413 && typeof limit === 'number') {
      // From the body parser: say what this route accepts.
      return {
        type: `/problems/${slug(code)}`,
        title: TITLES[status]!,
        status,
        detail: `The request body is larger than this route accepts (${limit} bytes at most).`,
        code,
        limit,
      };
    }
    // 5xx messages from framework exceptions may carry internals; keep them out of the response.
    return {
      type: status >= 500 ? 'about:blank' : `/problems/${slug(code)}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail: status >= 500 ? undefined : (PARSER_DETAILS[String(cause?.code)] ?? message),
      code,
    };
  }
  const driverCode = (exception as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  if (driverCode === '23505') {
    // A unique constraint caught a race the service's own check could not see.
    return {
      type: '/problems/conflict',
      title: 'Conflict',
      status: 409,
      code: 'CONFLICT',
      detail: 'The change conflicts with an existing record.',
    };
  }
  if (driverCode !== undefined && INPUT_BACKSTOP.has(String(driverCode))) {
    const column = (exception as { driverError?: { column?: unknown } }).driverError?.column;
    const field =
      typeof column === 'string' ? column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : 'body';
    return toProblem(
      DomainError.validation([
        driverCode === '23502'
          ? { field, message: `${field} is required: it cannot be null` }
          : { field, message: 'a date or time in the request is not a valid one' },
      ]),
    );
  }
  if (driverCode === '40001' || driverCode === '40P01') {
    return {
      type: '/problems/conflict',
      title: 'Conflict',
      status: 409,
      code: 'CONFLICT',
      detail: 'A concurrent change won; retry.',
    };
  }
  if (isDatabaseUnavailable(exception)) {
    // An outage, not a fault of this request: a retry may succeed (safely, with an Idempotency-Key).
    return toProblem(
      DomainError.serviceUnavailable('The database is unavailable; try again shortly.', DATABASE_RETRY_AFTER_SECONDS),
    );
  }
  return { type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'INTERNAL' };
}

/** Every error leaves the API as application/problem+json (RFC 9457), without stack traces. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<{ id?: unknown; url?: string; originalUrl?: string }>();
    const res = http.getResponse<HttpReply & { type(contentType: string): { send(body: string): unknown } }>();
    const path = requestPath(req);
    const problem = toProblem(exception, bodyLimitFor(path));
    // A 503 the code chose (readiness) is no incident; one from the driver is logged, without a stack.
    if (problem.status >= 500 && !(exception instanceof DomainError && problem.status === 503)) {
      // Name, message and stack only: driver errors carry row values in other properties.
      const err = exception instanceof Error ? exception : new Error(String(exception));
      const code = (err as { code?: unknown }).code;
      if (problem.status === 503) {
        this.logger.warn({ err: { name: err.name, message: err.message, code } }, 'Service unavailable');
      } else {
        this.logger.error({ err: { name: err.name, message: err.message, stack: err.stack, code } }, 'Unhandled error');
      }
    }
    const driverCode = (exception as { driverError?: { code?: unknown } } | null)?.driverError?.code;
    if (problem.status === 400 && INPUT_BACKSTOP.has(String(driverCode))) {
      // No values: the driver's message and detail can carry them.
      this.logger.warn({ code: driverCode, path, errors: problem.errors }, 'Input reached the database unvalidated');
    }
    problem.instance = path;
    if (req.id !== undefined) problem.requestId = String(req.id);
    if (replySent(res)) return;
    if ((problem.status === 429 || problem.status === 503) && typeof problem.retryAfter === 'number') {
      res.header('Retry-After', String(problem.retryAfter));
    }
    res.status(problem.status);
    res.type('application/problem+json').send(JSON.stringify(problem));
  }
}
