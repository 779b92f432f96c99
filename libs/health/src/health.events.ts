import { declareEvents, type EventPayloads, publishedEvent } from '@app/casework';
import type { ProtectionStatus } from './health.entity';

/** To the responsible council, at once: a health practitioner looked up one of its children. */
export interface ProtectionStatusLookedUp {
  lookupId: string;
  childId: string;
  status: ProtectionStatus;
  by: { organisationId: string; organisationName: string };
  lookedUpAt: string;
}

export const HEALTH_EVENTS = declareEvents({
  'health.protection_status.looked_up': publishedEvent<ProtectionStatusLookedUp>(
    "A health practitioner looked up the protection status of a child on the council's plan (CP-IS pattern).",
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof HEALTH_EVENTS> {}
}
