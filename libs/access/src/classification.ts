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
