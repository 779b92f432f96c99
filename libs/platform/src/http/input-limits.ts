import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, type FieldError } from '../errors/domain-error';

/**
 * Every bound on what a request may carry, in one place (the HTTP adapter only applies them).
 * They are checked before anything else reads the input: before authentication touches the
 * database and before class-validator walks the body, so an oversized or hostile body costs a
 * parse and one bounded walk, and its answer is one short error.
 */
export const INPUT_LIMITS = {
  /** Bytes of a request body, after decompression. */
  bodyBytes: 1024 * 1024,
  /** The unauthenticated routes (login, token) need a few hundred bytes. */
  authBodyBytes: 8 * 1024,
  /** Levels of objects and arrays (the deepest request the API defines has 4). */
  depth: 8,
  /** Keys of one object (the widest request object has 17 fields). */
  keysPerObject: 100,
  /** Items of one array (the longest list the API accepts has 50). */
  arrayItems: 100,
  /** Values (strings, numbers, objects, ...) in the whole body, or in the whole query. */
  values: 2000,
} as const;

/** Body size allowed for a request path; applied by the body parsers (413 when exceeded). */
export function bodyLimitFor(path: string): number {
  return path.startsWith('/api/v1/auth/') ? INPUT_LIMITS.authBodyBytes : INPUT_LIMITS.bodyBytes;
}

const NUL = '\u0000';

/** Names a path the way validation errors do: `parties.0.organisationId`. */
const join = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);
const printable = (key: string): string => key.replaceAll(NUL, '\\u0000');

/**
 * The first way `input` breaks the limits, or null. `root` names the whole input (`body`,
 * `query`) when the problem is the input itself. PostgreSQL text cannot hold a NUL character,
 * so one in any string or key is refused here, for every route.
 */
export function findInputProblem(input: unknown, root: string): FieldError | null {
  let values = 0;
  const visit = (value: unknown, path: string, depth: number): FieldError | null => {
    const name = path === '' ? root : path;
    if (++values > INPUT_LIMITS.values) {
      return { field: root, message: `${root} must hold at most ${INPUT_LIMITS.values} values` };
    }
    if (typeof value === 'string') {
      return value.includes(NUL) ? { field: name, message: `${name} must not contain a NUL character` } : null;
    }
    if (typeof value !== 'object' || value === null) return null;
    if (depth >= INPUT_LIMITS.depth) {
      return { field: name, message: `${name} must be nested at most ${INPUT_LIMITS.depth} levels deep` };
    }
    if (Array.isArray(value)) {
      if (value.length > INPUT_LIMITS.arrayItems) {
        return { field: name, message: `${name} must have at most ${INPUT_LIMITS.arrayItems} items` };
      }
      for (let i = 0; i < value.length; i++) {
        const problem = visit(value[i], join(path, i), depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    const keys = Object.keys(value);
    if (keys.length > INPUT_LIMITS.keysPerObject) {
      return { field: name, message: `${name} must have at most ${INPUT_LIMITS.keysPerObject} fields` };
    }
    for (const key of keys) {
      if (key.includes(NUL)) {
        const field = join(path, printable(key));
        return { field, message: `${field} must not contain a NUL character` };
      }
      const problem = visit((value as Record<string, unknown>)[key], join(path, key), depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return visit(input, '', 0);
}

interface RequestInput {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}

/**
 * The first global guard: refuses a request whose body, query or path parameters break the
 * limits with a 400 naming the field, before any other guard, pipe or service sees it.
 */
@Injectable()
export class InputLimitsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<RequestInput>();
    const problem =
      findInputProblem(req.params ?? {}, 'path') ??
      findInputProblem(req.query ?? {}, 'query') ??
      findInputProblem(req.body ?? {}, 'body');
    if (problem) throw DomainError.validation([problem]);
    return true;
  }
}

const PARSER_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Content Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};
// Control characters other than tab: what the HTTP parser refuses in a URL or header.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The header (or `url`) of a refused request that holds a control character such as NUL, if any. */
function culpritOf(rawPacket: unknown): string | null {
  if (!Buffer.isBuffer(rawPacket)) return null;
  const [requestLine = '', ...headerLines] = rawPacket.toString('latin1').split('\r\n');
  if (CONTROL.test(requestLine)) return 'url';
  for (const line of headerLines) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (CONTROL.test(line) && colon > 0) return line.slice(0, colon).replace(CONTROL, '').toLowerCase().slice(0, 64);
  }
  return null;
}

/**
 * The raw HTTP answer to a request Node's parser refused before the app saw it (a NUL or other
 * control character in the URL or a header, a header block too large): problem+json naming the
 * header, where Node would answer a bare 400.
 */
export function malformedRequestResponse(error: { code?: unknown; rawPacket?: unknown }): string {
  const [status, title] = PARSER_STATUS[String(error.code)] ?? [400, 'Bad Request'];
  const culprit = status === 400 ? culpritOf(error.rawPacket) : null;
  const problem =
    culprit === null
      ? { type: '/problems/bad-request', title, status, code: 'BAD_REQUEST', detail: 'The request is not valid HTTP.' }
      : {
          type: '/problems/validation-failed',
          title,
          status,
          code: 'VALIDATION_FAILED',
          detail: 'The request has invalid fields.',
          errors: [{ field: culprit, message: `${culprit} must not contain control characters` }],
        };
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** For the HTTP server's `clientError` event; like Node's own handler, it never answers mid-response. */
export function answerMalformedRequest(
  error: Error & { code?: unknown; rawPacket?: unknown },
  socket: { writable: boolean; bytesWritten?: number; end(data: string): void; destroy(): void },
): void {
  if (error.code !== 'ECONNRESET' && socket.writable && (socket.bytesWritten ?? 0) === 0) {
    socket.end(malformedRequestResponse(error));
  } else {
    socket.destroy();
  }
}
