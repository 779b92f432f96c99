import { declareEvents, type EventPayloads, internalEvent, publishedEvent } from '@app/casework';

/** A step of the child-protection process (ids, kinds, statuses and dates only: never personal data). */
export interface CsStepRecorded {
  caseId: string;
  record: 'case' | 'assessment' | 'strategy_discussion' | 's47' | 'conference' | 'plan' | 'looked_after';
  recordId: string;
  step: string;
  outcome?: string;
}

/** A case moved to another social worker or team (ids only). */
export interface CsCaseReallocated {
  caseId: string;
  childId: string;
  fromTeamId: string | null;
  toTeamId: string | null;
  fromWorkerId: string | null;
  toWorkerId: string;
}

export const CS_EVENTS = declareEvents({
  'childrens_services.step_recorded': publishedEvent<CsStepRecorded>(
    "A step of the council's child-protection process was recorded (assessment, strategy discussion, s47, conference, plan, closure).",
  ),
  // Internal: who holds a case inside the council is the council's own business, not its partners'.
  'childrens_services.case_reallocated': internalEvent<CsCaseReallocated>(
    'A team manager reallocated a children in need case to another social worker or team.',
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof CS_EVENTS> {}
}
