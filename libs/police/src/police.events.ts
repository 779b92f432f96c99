import { declareEvents, type EventPayloads, internalEvent, publishedEvent } from '@app/casework';

/** To each force: one of its persons, vehicles or locations matches another force's (no content of either). */
export interface PoliceMatchFound {
  matchReference: string;
  kind: 'person' | 'vehicle' | 'location';
  nodeId: string;
  otherOrganisation: { id: string; name: string };
}

export interface CseScreened {
  screeningId: string;
  childId: string;
  band: string;
}

export interface MissingEpisodeChanged {
  episodeId: string;
  childId: string;
  status: string;
}

export const POLICE_EVENTS = declareEvents({
  'police.match_found': publishedEvent<PoliceMatchFound>(
    "A person, vehicle or location the force recorded matches another force's: a reference for an information request, nothing of its content.",
  ),
  'police.cse_screened': internalEvent<CseScreened>('A child was screened for CSE risk.'),
  'police.missing_episode_changed': internalEvent<MissingEpisodeChanged>(
    'A missing episode was reported, found, or its return home interview recorded.',
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof POLICE_EVENTS> {}
}
