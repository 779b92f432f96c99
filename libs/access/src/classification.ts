/**
 * Every field of child data carries a sensitivity class; rules grant classes, not hand-picked
 * field lists. A field missing here is readable by nobody (the tests check every response field
 * is classified).
 */
export const SENSITIVITY_CLASSES = [
  'identity',
  'contact',
  'education',
  'health',
  'sexual-health',
  'police-intelligence',
  'social-care',
] as const;
export type SensitivityClass = (typeof SENSITIVITY_CLASSES)[number];

/** Field -> class, per subject. `always` fields (ids, versions) come with any readable record. */
export const FIELD_CLASSES = {
  Child: {
    id: 'always',
    version: 'always',
    restricted: 'always',
    givenName: 'identity',
    familyName: 'identity',
    preferredName: 'identity',
    previousNames: 'identity',
    dateOfBirth: 'identity',
    expectedDateOfBirth: 'identity',
    sex: 'identity',
    ethnicity: 'identity',
    firstLanguage: 'identity',
    interpreterNeeded: 'identity',
    disabilities: 'identity',
    nhsNumber: 'identity',
    upn: 'identity',
    laChildId: 'identity',
    pncId: 'police-intelligence',
    involvements: 'identity',
    lead: 'identity',
    addresses: 'contact',
    createdAt: 'always',
    updatedAt: 'always',
  },
  ChildSection: {
    id: 'always',
    childId: 'always',
    organisationId: 'always',
    agencyType: 'always',
    version: 'always',
    updatedAt: 'always',
    // police
    markers: 'police-intelligence',
    intelligenceNotes: 'police-intelligence',
    // children's services
    legalStatus: 'social-care',
    allocatedWorkerId: 'social-care',
    planStatus: 'social-care',
    // education
    schoolName: 'education',
    yearGroup: 'education',
    attendancePercent: 'education',
    exclusions: 'education',
    safeguardingNotes: 'education',
    // health
    gpPractice: 'health',
    healthNotes: 'health',
    sexualHealthNotes: 'sexual-health',
  },
  // An entry's class is its `sensitivity`, judged by the rules' conditions; rules with a field
  // list (the multi-agency summary) name which of these fields they show.
  ChronologyEntry: {
    id: 'always',
    childId: 'always',
    organisationId: 'always',
    organisationName: 'always',
    authorId: 'always',
    occurredAt: 'always',
    recordedAt: 'always',
    category: 'always',
    summary: 'always',
    detail: 'always',
    sensitivity: 'always',
    shareable: 'always',
    multiAgency: 'always',
  },
} as const satisfies Record<string, Record<string, SensitivityClass | 'always'>>;

export type ClassifiedSubject = keyof typeof FIELD_CLASSES;

export function fieldsOf(subject: ClassifiedSubject, classes: readonly SensitivityClass[]): string[] {
  return Object.entries(FIELD_CLASSES[subject])
    .filter(([, cls]) => cls === 'always' || (classes as readonly string[]).includes(cls))
    .map(([field]) => field);
}

export function allFieldsOf(subject: ClassifiedSubject): string[] {
  return Object.keys(FIELD_CLASSES[subject]);
}

export function classOf(subject: ClassifiedSubject, field: string): SensitivityClass | 'always' | undefined {
  return (FIELD_CLASSES[subject] as Record<string, SensitivityClass | 'always'>)[field];
}

/** Lawful bases for sharing (DOMAIN.md: information sharing and data protection). */
export const LAWFUL_BASES = [
  'UK_GDPR_6_1_E_PUBLIC_TASK',
  'UK_GDPR_6_1_C_LEGAL_OBLIGATION',
  'UK_GDPR_6_1_D_VITAL_INTERESTS',
  'DPA_2018_SCH1_PARA18_SAFEGUARDING',
  'DPA_2018_PART3_LAW_ENFORCEMENT',
  'CHILDREN_ACT_1989_S47',
  'CHILDREN_ACT_2004_S11',
  'CONSENT',
] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];
