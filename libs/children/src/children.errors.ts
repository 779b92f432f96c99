import { DomainError } from '@app/platform';

/** The children module's errors, with stable codes clients can branch on. */
export const ChildError = {
  notFound: () => DomainError.notFound('Child'),
  sectionNotFound: () => DomainError.notFound('Section'),
  alreadyRegistered: (childId: string) =>
    DomainError.conflict('CHILD.ALREADY_REGISTERED', 'This child is already registered and known to you.', { childId }),
  possibleMatch: (matchReference: string, heldBy: { organisationId: string; name: string }[]) =>
    DomainError.conflict(
      'CHILD.POSSIBLE_MATCH',
      'Another agency holds a record that may be this child. Use the match reference in a referral or an information request.',
      { matchReference, heldBy },
    ),
  fieldsForbidden: (fields: string[]) =>
    new DomainError('CHILD.FIELDS_FORBIDDEN', 403, 'Forbidden', `You may not change: ${fields.join(', ')}.`, {
      fields,
    }),
  tooManyAddresses: (max: number) =>
    new DomainError(
      'CHILD.TOO_MANY_ADDRESSES',
      422,
      'Unprocessable Content',
      `A child's address history holds at most ${max} addresses.`,
    ),
  stale: (version: number) =>
    DomainError.preconditionFailed(`The record has changed (now version ${version}); reload and retry.`),
} as const;
