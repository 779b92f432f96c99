import { DomainError } from '@app/platform';

export const IdentityError = {
  clientNotFound: () => DomainError.notFound('API client'),
} as const;
