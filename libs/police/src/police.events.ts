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

/** To the force that decided: it disclosed its node under a match (until a time), or declined. */
export interface DisclosureDecided {
  matchReference: string;
  nodeId: string;
  requestingOrganisationId: string;
  disclosed: boolean;
  until: string | null;
}

/** To the force that disclosed: it ended its disclosure under a match before its time. */
export interface DisclosureRevoked {
  matchReference: string;
  nodeId: string;
  granteeOrganisationId: string;
}

export interface CawnServed {
  cawnId: string;
  childId: string;
  personId: string;
  expiresOn: string;
}

export interface CawnEnded {
  cawnId: string;
  childId: string;
  endedOn: string;
  lapsed: boolean;
}

export const POLICE_EVENTS = declareEvents({
  'police.match_found': publishedEvent<PoliceMatchFound>(
    "A person, vehicle or location the force recorded matches another force's: a reference for an information request, nothing of its content.",
  ),
  'police.cse_screened': internalEvent<CseScreened>('A child was screened for CSE risk.'),
  'police.missing_episode_changed': internalEvent<MissingEpisodeChanged>(
    'A missing episode was reported, found, or its return home interview recorded.',
  ),
  'police.disclosure_decided': internalEvent<DisclosureDecided>(
    "The force decided another force's request under a match: disclosed its node until a time, or declined.",
  ),
  'police.disclosure_revoked': internalEvent<DisclosureRevoked>(
    'The force ended its disclosure to another force under a match before its time.',
  ),
  'police.cawn_served': internalEvent<CawnServed>('A child abduction warning notice was served.'),
  'police.cawn_ended': internalEvent<CawnEnded>(
    'The force ended a child abduction warning notice: withdrawn while it ran, or let end once it lapsed.',
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof POLICE_EVENTS> {}
}
