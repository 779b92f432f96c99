import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_KEY } from './idempotency.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';

export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_KEY, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.constants';

/** Documents the `Idempotency-Key` request header (required of partner systems) in OpenAPI. */
export const ApiIdempotencyKey = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description:
      'A key of your choosing (1-200 printable ASCII characters, e.g. a UUID) that makes a retry safe. ' +
      '**Required for partner systems** (OAuth2 client credentials: 428 IDEMPOTENCY.KEY_REQUIRED without it); ' +
      'people may omit it. For 24 hours the same key with the same request replays the first successful response ' +
      '(status, body, Location and ETag, with `Idempotent-Replayed: true`) instead of acting again. The key is ' +
      'recorded in the same database transaction as the change it protects: whenever the service stops (even a crash), the ' +
      'change and its key commit together or not at all, so a retry after a timeout or a crash either gets the first ' +
      'answer or runs the request for the first time, never twice. While the first request is still running, 409 ' +
      'IDEMPOTENCY.IN_PROGRESS with Retry-After; the same key with a different request, 422 IDEMPOTENCY.KEY_REUSED. ' +
      'Errors are not kept: after an error the same key runs the request again. Keys are per caller.',
  });

/**
 * Marks a create or transition route as honouring `Idempotency-Key`, applies the
 * IdempotencyInterceptor to it (to it alone: routes without the mark never run the interceptor)
 * and documents the header. IdempotencyModule (global) provides what the interceptor needs.
 */
export const Idempotent = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IDEMPOTENT_KEY, true), UseInterceptors(IdempotencyInterceptor), ApiIdempotencyKey());
