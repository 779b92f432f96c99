import { DomainError } from '../errors/domain-error';

/** Parses `If-Match: "3"` (or W/"3"); the version a client last saw. */
export function versionFromIfMatch(ifMatch: string | undefined): number {
  if (ifMatch === undefined) throw DomainError.preconditionRequired('Send If-Match with the ETag you last read.');
  const m = /^(?:W\/)?"(\d+)"$/.exec(ifMatch.trim());
  if (!m) throw DomainError.preconditionFailed('If-Match does not hold an ETag this API issued.');
  return Number(m[1]);
}

export const etag = (version: number): string => `"${version}"`;
