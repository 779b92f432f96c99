import { declareEvents, type EventPayloads, internalEvent, publishedEvent } from '@app/casework';
import type { ProtectionStatus } from './health.entity';

/** To the responsible council, at once: a health practitioner looked up one of its children. */
export interface ProtectionStatusLookedUp {
  lookupId: string;
  childId: string;
  status: ProtectionStatus;
  by: { organisationId: string; organisationName: string };
  lookedUpAt: string;
}

/** A survivor's therapeutic support plan changed: in-process only (never to partner systems). */
export interface SupportPlanChanged {
  planId: string;
  childId: string;
  organisationId: string;
  nextReviewDue: string | null;
}

/** A recorded review's outcome was corrected by a new review entry naming it (the original kept). */
export interface SupportReviewCorrected extends SupportPlanChanged {
  reviewId: string;
  correctsReviewId: string;
}

/** A plan's key worker changed: the new one holds the review clock from now (same due date). */
export interface SupportPlanKeyWorkerChanged {
  planId: string;
  childId: string;
  organisationId: string;
  fromKeyWorkerId: string;
  toKeyWorkerId: string;
}

export const HEALTH_EVENTS = declareEvents({
  'health.support_plan.key_worker_changed': internalEvent<SupportPlanKeyWorkerChanged>(
    "A therapeutic support plan's key worker changed (the review clock handed over with it).",
  ),
  'health.support_plan.started': internalEvent<SupportPlanChanged>(
    'A therapeutic support plan began for a child or survivor (consent recorded, key worker named).',
  ),
  'health.support_plan.reviewed': internalEvent<SupportPlanChanged>(
    'A therapeutic support plan was reviewed; its next review is due.',
  ),
  'health.support_plan.review_corrected': internalEvent<SupportReviewCorrected>(
    "A therapeutic support plan's recorded review was corrected by a new entry naming it (the original kept).",
  ),
  'health.support_plan.ended': internalEvent<SupportPlanChanged>(
    "A therapeutic support plan ended, with a reason and the person's view.",
  ),
  'health.protection_status.looked_up': publishedEvent<ProtectionStatusLookedUp>(
    "A health practitioner looked up the protection status of a child on the council's plan (CP-IS pattern).",
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof HEALTH_EVENTS> {}
}
