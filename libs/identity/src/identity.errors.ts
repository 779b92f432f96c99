import { DomainError } from '@app/platform';
import type { RoleGrantStatus } from './role-grant.entity';

export const IdentityError = {
  ownRoles: () =>
    new DomainError(
      'USER.OWN_ROLES',
      403,
      'Forbidden',
      'Nobody changes their own roles: another administrator of your organisation does.',
    ),
  grantPending: (grantId: string) =>
    DomainError.conflict(
      'ROLE_GRANT.PENDING',
      'A role grant for this person already waits for approval: approve or reject it first.',
      { roleGrantId: grantId },
    ),
  grantNotFound: () => DomainError.notFound('Role grant'),
  grantAlreadyDecided: (status: RoleGrantStatus) =>
    DomainError.conflict('ROLE_GRANT.ALREADY_DECIDED', `The role grant is already ${status}.`, {
      currentStatus: status,
    }),
  ownRequest: () =>
    new DomainError(
      'ROLE_GRANT.OWN_REQUEST',
      403,
      'Forbidden',
      'A second administrator approves a role grant: not the one who asked for it.',
    ),
  grantToSelf: () =>
    new DomainError('ROLE_GRANT.TO_SELF', 403, 'Forbidden', 'Nobody approves a role grant to themself.'),
  clientNotFound: () => DomainError.notFound('API client'),
} as const;
