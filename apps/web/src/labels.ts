import type { Schemas } from './api/api-client';

// Typed by the API's own enums: a value the API adds or drops breaks the typecheck here.
export const CONCERN_CATEGORIES: Record<Schemas['CreateConcernDto']['category'], string> = {
  neglect: 'Neglect',
  physical: 'Physical abuse',
  sexual: 'Sexual abuse',
  emotional: 'Emotional abuse',
  cse: 'Child sexual exploitation',
  criminal_exploitation: 'Criminal exploitation (including county lines)',
  missing: 'Missing from home, care or education',
  online_harm: 'Online harm',
  domestic_abuse: 'Domestic abuse',
  other: 'Something else',
};

export const CONCERN_STATUSES: Record<Schemas['ConcernDto']['status'], string> = {
  OPEN: 'Awaiting decision',
  MONITOR: 'Monitor',
  NO_FURTHER_ACTION: 'No further action',
  REFERRED: 'Referred',
};

export const REFERRAL_STATUSES: Record<Schemas['ReferralDto']['status'], string> = {
  SUBMITTED: 'Submitted',
  ACKNOWLEDGED: 'Acknowledged',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  WITHDRAWN: 'Withdrawn',
  CLOSED: 'Closed',
};

export const RAGS: Record<Schemas['CreateReferralDto']['rag'], string> = {
  RED: 'Red: act within 4 working hours',
  AMBER: 'Amber: within 24 working hours',
  GREEN: 'Green: within 72 hours',
};

export const OUTCOMES: Record<Schemas['DecisionDto']['outcome'], string> = {
  NO_FURTHER_ACTION: 'No further action',
  ADVICE: 'Advice and information',
  EARLY_HELP: 'Early help',
  S17_ASSESSMENT: 'Child in need assessment (section 17)',
  STRATEGY_DISCUSSION: 'Strategy discussion (section 47)',
  IMMEDIATE_PROTECTION: 'Immediate protection',
};

export const CHRONOLOGY_CATEGORIES: Record<Schemas['CreateChronologyEntryDto']['category'], string> = {
  concern: 'Concern',
  referral: 'Referral',
  assessment: 'Assessment',
  strategy_discussion: 'Strategy discussion',
  conference: 'Conference',
  missing_episode: 'Missing episode',
  police_incident: 'Police incident',
  health_appointment: 'Health appointment',
  education: 'Education',
  contact: 'Contact',
  decision: 'Decision',
  disclosure: 'Disclosure',
  other: 'Other',
};

export const SENSITIVITY_CLASSES: Record<Schemas['CreateChronologyEntryDto']['sensitivity'], string> = {
  identity: 'Identity',
  contact: 'Contact details',
  education: 'Education',
  health: 'Health',
  'sexual-health': 'Sexual health',
  'police-intelligence': 'Police intelligence',
  'social-care': 'Social care',
};

export const LAWFUL_BASES: Record<NonNullable<Schemas['CreateReferralDto']['lawfulBasis']>, string> = {
  UK_GDPR_6_1_E_PUBLIC_TASK: 'UK GDPR 6(1)(e): public task',
  UK_GDPR_6_1_C_LEGAL_OBLIGATION: 'UK GDPR 6(1)(c): legal obligation',
  UK_GDPR_6_1_D_VITAL_INTERESTS: 'UK GDPR 6(1)(d): vital interests',
  DPA_2018_SCH1_PARA18_SAFEGUARDING: 'DPA 2018 Schedule 1 paragraph 18: safeguarding of children',
  DPA_2018_PART3_LAW_ENFORCEMENT: 'DPA 2018 Part 3: law enforcement',
  CHILDREN_ACT_1989_S47: 'Children Act 1989 section 47',
  CHILDREN_ACT_2004_S11: 'Children Act 2004 section 11',
  CONSENT: 'Consent',
};

export const REQUEST_STATUSES: Record<Schemas['InformationRequestDto']['status'], string> = {
  REQUESTED: 'Awaiting decision',
  DISCLOSED: 'Disclosed',
  DECLINED: 'Declined',
};

/**
 * The statutory and local clocks by their deadline rule (libs/*\/src/*.clocks.ts): the dashboard names
 * each in words. A rule a module adds later shows as its name until it is given words here.
 */
export const CLOCKS: Record<string, string> = {
  'concern.decision': "Safeguarding lead's decision on a concern",
  'referral.decision': 'Decision on a referral (1 working day)',
  'mash.checks': 'MASH partner checks',
  'information_request.decision': 'Decision on an information request',
  'assessment.completion': 'Assessment completed (45 working days)',
  'strategy.discussion': 'Strategy discussion held',
  'icpc.target': 'Initial child protection conference (15 working days)',
  'review_conference.due': 'Review child protection conference',
  'education.file_transfer': 'Safeguarding file transferred to the new school (5 school days)',
  'whistleblowing.acknowledge': 'Whistleblowing report acknowledged (2 working days)',
  'cse.screening_review': 'CSE risk screening reviewed (3 months)',
  'missing.return_interview': 'Return home interview (72 hours)',
};

export const REFERRAL_OUTCOMES_AND_STATUSES: Record<string, string> = {
  ...OUTCOMES,
  ...REFERRAL_STATUSES,
};

/** Radios or checkboxes items from a label map, with the current value(s) checked. */
export function choices(
  labels: Record<string, string>,
  selected: string | string[] | undefined,
): { value: string; text: string; checked: boolean }[] {
  const picked = Array.isArray(selected) ? selected : selected ? [selected] : [];
  return Object.entries(labels).map(([value, text]) => ({ value, text, checked: picked.includes(value) }));
}
