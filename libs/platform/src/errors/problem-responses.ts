import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import {
  FIELD_MESSAGE_MAX_LENGTH,
  FIELD_PATH_MAX_LENGTH,
  type FieldError,
  MAX_FIELD_ERRORS,
  type ProblemStatus,
} from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Node's default limit on a request's head (request line and headers): no path is longer. */
const REQUEST_HEAD_MAX_BYTES = 16 * 1024;

export class FieldErrorDto implements FieldError {
  @ApiProperty({
    maxLength: FIELD_PATH_MAX_LENGTH,
    example: 'addresses.0.postcode',
    description: 'Dotted path of the field, header or parameter in the request.',
  })
  field!: string;

  @ApiProperty({ maxLength: FIELD_MESSAGE_MAX_LENGTH, example: 'postcode must be a UK postcode' })
  message!: string;
}

/** An error answer (RFC 9457): every 4xx and 5xx of the API has this shape. */
export class ProblemDetailsDto {
  @ApiProperty({ maxLength: 100, example: '/problems/validation-failed', description: 'Names the kind of problem.' })
  type!: string;

  @ApiProperty({ maxLength: 100, example: 'Bad Request' })
  title!: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiProperty({
    maxLength: 100,
    example: 'VALIDATION_FAILED',
    description: 'Stable: branch on it (e.g. CHILD.POSSIBLE_MATCH, IDEMPOTENCY.KEY_REUSED), not on `detail`.',
  })
  code!: string;

  @ApiPropertyOptional({ maxLength: 2000, description: 'For people; may change.' })
  detail?: string;

  @ApiPropertyOptional({ maxLength: REQUEST_HEAD_MAX_BYTES, example: '/api/v1/children', description: 'The path.' })
  instance?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    pattern: '^[A-Za-z0-9._:-]{8,64}$',
    description: 'As in the X-Request-Id response header: quote it when you report a problem.',
  })
  requestId?: string;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    maxItems: MAX_FIELD_ERRORS,
    description: `400 VALIDATION_FAILED: each field that is wrong (the first ${MAX_FIELD_ERRORS}).`,
  })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2147483647,
    description: `How many field errors there were beyond the first ${MAX_FIELD_ERRORS}.`,
  })
  moreErrors?: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 86400,
    description: '429 and 503: seconds to wait before retrying, as in the Retry-After header.',
  })
  retryAfter?: number;
}

/** What each status means on any route; a route says more where it knows more. */
export const PROBLEM_DESCRIPTIONS: Record<ProblemStatus | 413, string> = {
  400: 'VALIDATION_FAILED: a field, parameter or header is wrong; `errors` names each one.',
  401: 'UNAUTHENTICATED: no bearer token, or one that is expired, revoked or not ours.',
  403: 'FORBIDDEN: your role (or your client scopes) does not allow this.',
  404: 'NOT_FOUND: no such record, or one you may not see (the same answer for both).',
  409: 'CONFLICT: a concurrent or earlier change conflicts with this one.',
  412: 'PRECONDITION_FAILED: the If-Match ETag is not the current version; read again and retry.',
  413: 'CONTENT_TOO_LARGE: the body is larger than the route accepts (`limit`, in bytes).',
  422: 'The request is well-formed but cannot be carried out as asked (see `code`).',
  428: 'PRECONDITION_REQUIRED: a required precondition header is missing (see `detail`).',
  429: 'TOO_MANY_REQUESTS: slow down; retry after Retry-After seconds.',
  500: 'INTERNAL: an unexpected error; quote `requestId` when you report it.',
  503: 'SERVICE_UNAVAILABLE: the database is unavailable; retry after Retry-After seconds.',
};

export type ProblemSpec = ProblemStatus | 413 | [status: ProblemStatus | 413, description: string];

/** The OpenAPI response object of a problem answer. */
export function problemResponse(description: string): {
  description: string;
  content: Record<string, { schema: { $ref: string } }>;
} {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } } };
}

/**
 * Documents the problem answers a route can give beyond those every route gives (the OpenAPI
 * document adds 400, 401, 403, 404, 429, 500 and 503 where they apply, see openapi-contract.ts):
 * a status alone takes the shared description, `[status, text]` says what this route means by it.
 */
export function ApiProblems(...specs: ProblemSpec[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...specs.map((spec) => {
      const [status, description] = Array.isArray(spec) ? spec : [spec, PROBLEM_DESCRIPTIONS[spec]];
      return ApiResponse({ status, ...problemResponse(description) });
    }),
  );
}
