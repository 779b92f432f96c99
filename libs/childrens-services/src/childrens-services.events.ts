import { declareEvents, type EventPayloads, publishedEvent } from '@app/casework';

/** A step of the child-protection process (ids, kinds, statuses and dates only: never personal data). */
export interface CsStepRecorded {
  caseId: string;
  record: 'case' | 'assessment' | 'strategy_discussion' | 's47' | 'conference' | 'plan' | 'looked_after';
  recordId: string;
  step: string;
  outcome?: string;
}

export const CS_EVENTS = declareEvents({
  'childrens_services.step_recorded': publishedEvent<CsStepRecorded>(
    "A step of the council's child-protection process was recorded (assessment, strategy discussion, s47, conference, plan, closure).",
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof CS_EVENTS> {}
}
