import { declareEvents, type EventPayloads, publishedEvent } from '@app/casework';

/** Another organisation came to a child an organisation holds, or asks about: the duty to collaborate. */
export type ChildLinked =
  /** To the organisation whose registration matched a child it may not see: who holds it (those it may learn of). */
  | { matchReference: string; heldBy: { organisationId: string; name: string }[] }
  /** To each organisation working with the child: who the newcomer is, and how to ask. */
  | {
      childId: string;
      matchReference?: string;
      referralId?: string;
      // Named only where a match answer could name it (tipping off): else { id: null, name: 'Another agency' }.
      otherOrganisation: { id: string | null; name: string };
    }
  /** To the receiver of a referral about a child others work with: who they are (those it may learn of). */
  | { referralId: string; childId: string; holders: { id: string; name: string }[] };

export const CHILDREN_EVENTS = declareEvents({
  'child.linked': publishedEvent<ChildLinked>(
    'Another organisation works with, or asks about, a child an organisation holds (the duty to collaborate): ' +
      'who, and how to ask; never what it holds.',
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof CHILDREN_EVENTS> {}
}
