import type { OrganisationType } from '@app/platform';
import { ALL_ROLES, type Role } from './roles';
import { type Action, POLICY, type Subject } from './policy';

/**
 * No tipping off (ARCHITECTURE.md §4): nothing may reveal police interest, or a health provider's,
 * to an organisation not entitled to it. These rules decide what an organisation learns of
 * *another* organisation's involvement with a child; they are part of the policy (docs/policy.md).
 */
export const TIPPING_OFF_RULES = [
  {
    rule: 'A match answer (registration of a child another agency holds) names no police force or health provider to an organisation of another kind; every holder is told of the match.',
    why: 'a school or hospital must not learn that police or health hold a child they do not know',
  },
  {
    rule: "On the record's list of involvements, a police force's or health provider's involvement is shown to organisations of the same kind, to children's services (the lead statutory safeguarding partner) and to inspectors; to others only once it is open multi-agency work (a strategy discussion, a conference, a core group).",
    why: 'partners working with a child see each other; a school does not learn of police or health interest by reading the record',
  },
  {
    rule: "In a child's access log, a reader sees its own organisation's accesses, and what others read under its own disclosures, in full; another organisation's successful accesses as organisation and time; a police force's as 'a police force' and a health provider's as 'a health provider' to organisations of another kind; other organisations' failed look-ups not at all. Inspectors and data protection officers see everything.",
    why: "who looked, and why, is itself intelligence: a police officer's name and purpose must not reach a school",
  },
  {
    rule: "A referral to or from a police force or health provider is not put on the multi-agency chronology by default (the sender's and receiver's own entries stay shareable within their classes); a holder is told that another agency received a referral or registered a child, naming it only where a match answer could.",
    why: 'a school working with a child must not learn from the shared chronology or a notice that the police were asked',
  },
  {
    rule: 'Notifications name what happened and where to look, never case details or free text, and go only to the roles that handle the item (or to named users: the case team of a restricted child).',
    why: 'an administrator or a teacher must not learn of a case they may not open',
  },
  {
    rule: "Police intelligence (CSE screenings, missing-episode records, persons, vehicles and locations of interest, their links, the network, problem profiles, CAWNs) is read only by the force that recorded it; another force reads a person, vehicle or location only once disclosed to it. A cross-force match tells each force that a match exists, the other force's name and a match reference, never the other's content. Only the summary of a missing episode goes to the multi-agency chronology.",
    why: 'a suspect, a car or an address known to the police must not reach anyone who could tip off, nor another force before a recorded disclosure',
  },
  {
    rule: 'Text a police force wrote on a concern, a referral or an information request is read by the parties to it (the force, and the organisation it sent it to or received it from); a reader who is not a party (an inspector) reads that the work exists, who, when and what became of it, never the text: in lists and single reads alike the fields are null and named in `withheld`.',
    why: 'what the police wrote is police intelligence, which inspection does not read; the force may disclose it through a grant',
  },
] as const;

/** One organisation's part of a piece of work: the fields it wrote. */
export interface WrittenBy<T> {
  organisationType: OrganisationType | string;
  fields: readonly (keyof T & string)[];
}

/**
 * Withholds (sets to null) the text a police force wrote on a piece of work from a reader whose
 * organisation is not a party to it (TIPPING_OFF_RULES: police-written text), and returns the names
 * of the fields withheld (empty for a party).
 */
export function withholdPoliceText<T extends object>(
  row: T,
  readerOrganisationId: string,
  parties: readonly string[],
  sides: readonly WrittenBy<T>[],
): string[] {
  if (parties.includes(readerOrganisationId)) return [];
  const withheld: string[] = [];
  for (const side of sides) {
    if (side.organisationType !== 'police_force') continue;
    for (const f of side.fields) {
      (row as Record<string, unknown>)[f] = null;
      withheld.push(f);
    }
  }
  return withheld;
}

/** Kinds of organisation whose involvement with a child is itself sensitive. */
const SENSITIVE_HOLDERS: readonly OrganisationType[] = ['police_force', 'health'];
/** Bases of involvement that are open multi-agency work. */
const OPEN_BASES = ['strategy_discussion', 'conference', 'core_group'];

export interface Viewer {
  organisationId: string;
  organisationType: OrganisationType;
  roles: readonly string[];
}

/** May a match answer (or anything said to an organisation not working with the child) name this holder? */
export function mayNameHolder(viewerType: OrganisationType, holderType: OrganisationType): boolean {
  return !SENSITIVE_HOLDERS.includes(holderType) || viewerType === holderType;
}

/** May a step between these two kinds of organisation go to the multi-agency chronology by default? */
export function openBetween(a: OrganisationType, b: OrganisationType): boolean {
  return !SENSITIVE_HOLDERS.includes(a) && !SENSITIVE_HOLDERS.includes(b);
}

/** May this viewer, already knowing the child, see this organisation's involvement on the record? */
export function mayLearnOfInvolvement(
  viewer: Viewer,
  holder: { organisationId: string; organisationType: OrganisationType; basis: string },
): boolean {
  if (holder.organisationId === viewer.organisationId || viewer.roles.includes('inspector')) return true;
  if (!SENSITIVE_HOLDERS.includes(holder.organisationType)) return true;
  if (viewer.organisationType === holder.organisationType || viewer.organisationType === 'local_authority') return true;
  return OPEN_BASES.includes(holder.basis);
}

/** How another organisation appears in a child's access log to this viewer (null: not at all). */
export function accessLogOrganisation(
  viewer: Viewer,
  accessor: { organisationType: OrganisationType },
): 'named' | 'a police force' | 'a health provider' {
  if (accessor.organisationType === viewer.organisationType) return 'named';
  if (accessor.organisationType === 'police_force') return 'a police force';
  if (accessor.organisationType === 'health') return 'a health provider';
  return 'named';
}

/**
 * The roles that may act on a kind of item at all: who a notification about it may go to. Read
 * from the policy itself, so a notification never reaches someone who could not open the item.
 */
export function rolesAllowed(action: Action, subject: Subject): Role[] {
  return ALL_ROLES.filter((role) =>
    POLICY[role].some((rule) => {
      if (rule.inverted) return false;
      const actions = Array.isArray(rule.action) ? rule.action : [rule.action];
      const subjects = Array.isArray(rule.subject) ? rule.subject : [rule.subject];
      return (actions.includes(action) || actions.includes('manage')) && subjects.includes(subject);
    }),
  );
}
