import { rolesAllowed } from '@app/access';
import type { DeadlineSubject, TimescaleKey } from '@app/casework';
import { DomainError } from '@app/platform';
import type { CsOutcome, Rag } from './referral.entity';
import type { SubjectDto } from './referrals.dto';

/** The team of each kind of organisation that triages its own staff's concerns. */
export const LEAD_TEAM_FUNCTION: Record<string, string> = {
  school: 'safeguarding',
  local_authority: 'mash',
  police_force: 'cse_unit',
  health: 'safeguarding',
};

/** The timescale of MASH partner checks after triage, by RAG. */
export const CHECKS_TIMESCALE: Record<Rag, TimescaleKey> = {
  RED: 'mash.checks.red',
  AMBER: 'mash.checks.amber',
  GREEN: 'mash.checks.green',
};

export const concernClock = (id: string): DeadlineSubject => ({ type: 'Concern', id });
export const referralClock = (id: string): DeadlineSubject => ({ type: 'Referral', id });

/** Who handles what: notifications about an item go only to roles that may act on it. */
export const CONCERN_DECIDERS = rolesAllowed('update', 'Concern');
export const REFERRAL_RECEIVERS = rolesAllowed('receive', 'Referral');
export const REFERRAL_SENDERS = rolesAllowed('withdraw', 'Referral');

/** Each outcome as the chronology and the referrer read it. */
export const OUTCOME_WORDS: Record<CsOutcome, string> = {
  NO_FURTHER_ACTION: 'no further action',
  ADVICE: 'advice given',
  EARLY_HELP: 'early help',
  S17_ASSESSMENT: 'child and family assessment (s17)',
  STRATEGY_DISCUSSION: 'strategy discussion (significant harm suspected)',
  IMMEDIATE_PROTECTION: 'immediate protection',
};

/** Outcomes after which the council keeps working with the child (its involvement opens). */
export const ACCEPTING_OUTCOMES: CsOutcome[] = [
  'EARLY_HELP',
  'S17_ASSESSMENT',
  'STRATEGY_DISCUSSION',
  'IMMEDIATE_PROTECTION',
];

export const subjectColumns = (s: SubjectDto | undefined) => ({
  givenName: s?.givenName ?? null,
  familyName: s?.familyName ?? null,
  dateOfBirth: s?.dateOfBirth ?? null,
  approximateAge: s?.approximateAge ?? null,
  address: s?.address ?? null,
  school: s?.school ?? null,
});

/** A concern or referral identifies its child: by record, or by a name or a date of birth. */
export function requireChildOrSubject(
  child: string | undefined,
  subject: SubjectDto | undefined,
  ageAllowed: boolean,
): void {
  if (child) return;
  const s = subject ?? {};
  const named = Boolean(s.givenName || s.familyName);
  const dated = Boolean(s.dateOfBirth || (ageAllowed && s.approximateAge !== undefined));
  if (!named && !dated) {
    throw DomainError.validation([
      { field: 'subject', message: 'identify the child: childId, or subject with a name or date of birth' },
    ]);
  }
}
