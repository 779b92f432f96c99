import { ApiHeader } from '@nestjs/swagger';
import { DomainError } from '../errors/domain-error';

/** A version is a PostgreSQL integer: at most 10 digits. */
const VERSION_DIGITS = 10;
const IF_MATCH = new RegExp(`^(?:W/)?"(\\d{1,${VERSION_DIGITS}})"$`);

/** Parses `If-Match: "3"` (or W/"3"); the version a client last saw. */
export function versionFromIfMatch(ifMatch: string | undefined): number {
  if (ifMatch === undefined) throw DomainError.preconditionRequired('Send If-Match with the ETag you last read.');
  const m = IF_MATCH.exec(ifMatch.trim());
  if (!m) throw DomainError.preconditionFailed('If-Match does not hold an ETag this API issued.');
  return Number(m[1]);
}

export const etag = (version: number): string => `"${version}"`;

/** The `ETag` response header in OpenAPI: `headers: { ETag: ETAG_HEADER }` on a success response. */
export const ETAG_HEADER = {
  description: 'The version of the record (a strong ETag): send it back in If-Match to change the record.',
  schema: { type: 'string', pattern: `^"\\d{1,${VERSION_DIGITS}}"$`, maxLength: VERSION_DIGITS + 2, example: '"3"' },
} as const;

/**
 * Documents the `If-Match` request header of a route that changes a versioned record (the OpenAPI
 * document adds its 412 and 428 answers). `required: false` where it is needed only once the
 * record exists.
 */
export const ApiIfMatch = (required: boolean, description: string): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'If-Match',
    required,
    description,
    schema: {
      type: 'string',
      pattern: `^(W/)?"\\d{1,${VERSION_DIGITS}}"$`,
      maxLength: VERSION_DIGITS + 4,
      example: '"3"',
    },
  });
