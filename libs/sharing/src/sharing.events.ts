import { declareEvents, type EventPayloads, publishedEvent } from '@app/casework';

/** To the requester's organisation: the decision on its request (never the content). */
export interface InformationRequestDecided {
  requestId: string;
  status: 'DISCLOSED' | 'DECLINED';
  grantId: string | null;
  decidedBy: { organisationId: string; name: string };
}

/** To the grantee's organisation, a day ahead: a disclosure to it is about to lapse. */
export interface GrantExpiring {
  grantId: string;
  grantorOrganisationId: string;
  classes: string[];
  untilAt: string;
}

export const SHARING_EVENTS = declareEvents({
  'information_request.decided': publishedEvent<InformationRequestDecided>(
    'The organisation asked decided to disclose, or not, in answer to a request the organisation made.',
  ),
  'grant.expiring': publishedEvent<GrantExpiring>('A disclosure to the organisation ends within a day.'),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof SHARING_EVENTS> {}
}
