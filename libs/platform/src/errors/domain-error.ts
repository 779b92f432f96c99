export interface FieldError {
  /** Dotted path of the field in the request, e.g. `email` or `addresses.0.postcode`. */
  field: string;
  message: string;
}

/** At most this many field errors go into one response. */
export const MAX_FIELD_ERRORS = 20;
/** A field path and a message are clipped to these lengths (an unknown key may be of any length). */
export const FIELD_PATH_MAX_LENGTH = 200;
export const FIELD_MESSAGE_MAX_LENGTH = 500;
const clip = (text: string | undefined, max: number): string =>
  text === undefined ? '' : text.length > max ? `${text.slice(0, max - 1)}\u2026` : text;

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 422 | 428 | 429 | 500 | 503;

/**
 * Services throw domain errors, never HTTP exceptions; one filter turns them into
 * application/problem+json. `code` is stable (clients may branch on it), `detail` is for people.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: ProblemStatus,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    // The same answer for "does not exist" and "you may not see it": no existence leak.
    return new DomainError('NOT_FOUND', 404, 'Not Found', `${what} was not found.`);
  }

  static forbidden(detail: string): DomainError {
    return new DomainError('FORBIDDEN', 403, 'Forbidden', detail);
  }

  static unauthenticated(detail = 'Authentication is required.'): DomainError {
    return new DomainError('UNAUTHENTICATED', 401, 'Unauthorized', detail);
  }

  /** The first MAX_FIELD_ERRORS problems, and how many more there were: an error body stays small. */
  static validation(errors: FieldError[]): DomainError {
    const shown = errors.slice(0, MAX_FIELD_ERRORS).map(({ field, message }) => ({
      field: clip(field, FIELD_PATH_MAX_LENGTH),
      message: clip(message, FIELD_MESSAGE_MAX_LENGTH),
    }));
    const more = errors.length - shown.length;
    return new DomainError(
      'VALIDATION_FAILED',
      400,
      'Bad Request',
      'The request has invalid fields.',
      more > 0 ? { errors: shown, moreErrors: more } : { errors: shown },
    );
  }

  static conflict(code: string, detail: string, extensions: Record<string, unknown> = {}): DomainError {
    return new DomainError(code, 409, 'Conflict', detail, extensions);
  }

  static preconditionFailed(detail: string): DomainError {
    return new DomainError('PRECONDITION_FAILED', 412, 'Precondition Failed', detail);
  }

  static preconditionRequired(detail: string): DomainError {
    return new DomainError('PRECONDITION_REQUIRED', 428, 'Precondition Required', detail);
  }

  /** Something the API needs (the database) does not answer; a retry after a while may succeed. */
  static serviceUnavailable(detail: string, retryAfterSeconds: number): DomainError {
    return new DomainError('SERVICE_UNAVAILABLE', 503, 'Service Unavailable', detail, {
      retryAfter: retryAfterSeconds,
    });
  }

  static tooManyRequests(retryAfterSeconds: number): DomainError {
    return new DomainError('TOO_MANY_REQUESTS', 429, 'Too Many Requests', 'Too many attempts; try again later.', {
      retryAfter: retryAfterSeconds,
    });
  }
}
