import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

export const IDEMPOTENT_KEY = 'idempotent';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Documents the optional `Idempotency-Key` request header in OpenAPI. */
export const ApiIdempotencyKey = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description:
      'A key of your choosing (1-200 printable ASCII characters, e.g. a UUID) that makes a retry safe: ' +
      'for 24 hours the same key with the same request replays the first successful response (with ' +
      '`Idempotent-Replayed: true`) instead of acting again; the same key with a different request answers ' +
      '422 IDEMPOTENCY.KEY_REUSED; while the first request is still running, 409 IDEMPOTENCY.IN_PROGRESS with ' +
      'Retry-After. Errors are not kept: after an error the same key runs the request again. Keys are per caller.',
  });

/**
 * Marks a create or transition route as honouring `Idempotency-Key` (see IdempotencyInterceptor)
 * and documents the header.
 */
export const Idempotent = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IDEMPOTENT_KEY, true), ApiIdempotencyKey());
