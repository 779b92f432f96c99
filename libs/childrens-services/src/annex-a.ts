/**
 * Ofsted's Annex A (the inspection of local authority children's services, ILACS): the child-level
 * lists a council hands the inspectors, as CSV with the published column order. Lists 1-7 are
 * produced here (8 onwards, children in care and care leavers, are not held by this system).
 * docs/domain.md says which list holds what and which columns are approximated.
 */

/** The common columns every list starts with. */
const PERSON = ['Child Unique ID', 'Gender', 'Ethnicity', 'Date of Birth', 'Age of Child (Years)'] as const;
const DISABILITY = 'Does the Child have a Disability';
const ALLOCATED = ['Allocated Team', 'Allocated Worker'] as const;

export const ANNEX_A_LISTS = {
  1: {
    name: 'contacts',
    title: 'List 1: Contacts',
    columns: [...PERSON, 'Date of Contact', 'Contact Source'],
  },
  2: {
    name: 'early-help',
    title: 'List 2: Early Help',
    columns: [...PERSON, 'Assessment start date', 'Assessment completion date', 'Organisation completing assessment'],
  },
  3: {
    name: 'referrals',
    title: 'List 3: Referrals',
    columns: [
      ...PERSON,
      'Date of referral',
      'Referral Source',
      'Referral NFA?',
      'Number of Referrals in Last 12 Months',
      ...ALLOCATED,
    ],
  },
  4: {
    name: 'assessments',
    title: 'List 4: Assessments',
    columns: [
      ...PERSON,
      DISABILITY,
      'Continuous Assessment Start Date',
      'Child Seen During Continuous Assessment',
      'Continuous Assessment Date of Authorisation',
      "Was the child assessed as requiring LA children's social care support?",
      ...ALLOCATED,
    ],
  },
  5: {
    name: 's47-and-icpc',
    title: 'List 5: Section 47 Enquiries and Initial Child Protection Conferences',
    columns: [
      ...PERSON,
      DISABILITY,
      'Strategy discussion initiating Section 47 Enquiry Start Date',
      'Was an Initial Child Protection Conference deemed unnecessary?',
      'Date of Initial Child Protection Conference',
      'Did the Initial Child Protection Conference Result in a Child Protection Plan',
      'Number of Section 47 Enquiries in the last 12 months (NOT INCL. CURRENT)',
      'Number of ICPCs in the last 12 months (NOT INCL. CURRENT)',
      ...ALLOCATED,
    ],
  },
  6: {
    name: 'children-in-need',
    title: 'List 6: Children in Need',
    columns: [
      ...PERSON,
      DISABILITY,
      'CIN Start Date',
      'Primary Need Code',
      'Date Child Was Last Seen',
      'CIN Closure Date',
      'Reason for Closure',
      'Case Status',
      ...ALLOCATED,
    ],
  },
  7: {
    name: 'child-protection',
    title: 'List 7: Child Protection',
    columns: [
      ...PERSON,
      DISABILITY,
      'Child Protection Plan Start Date',
      'Initial Category of Abuse',
      'Latest Category of Abuse',
      'Date of the Last Statutory Visit',
      'Was the Child Seen Alone?',
      'Date of latest review conference',
      'Child Protection Plan End Date',
      'Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)',
      'Number of Previous Child Protection Plans',
      ...ALLOCATED,
    ],
  },
} as const;

export type AnnexAList = keyof typeof ANNEX_A_LISTS;
export const ANNEX_A_LIST_NUMBERS = Object.keys(ANNEX_A_LISTS).map(Number) as AnnexAList[];

/** The file an inspector receives for a list, e.g. `annex-a-list-3-referrals-2026-03-31.csv`. */
export const annexAFileName = (list: AnnexAList, at: string): string =>
  `annex-a-list-${list}-${ANNEX_A_LISTS[list].name}-${at}.csv`;

/** Annex A looks back six months from the date the lists are produced for (the inspection's notice day). */
export function annexAPeriod(at: string): { from: string; to: string } {
  const [y, m, d] = at.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 - 6, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return { from: first.toISOString().slice(0, 10), to: at };
}

// ---------- the published answer lists (lettered as in Ofsted's Annex A template) ----------

const lettered = (codes: readonly string[], label: (code: string) => string = (c) => c) =>
  Object.fromEntries(codes.map((c, i) => [c, `${String.fromCharCode(97 + i)}) ${label(c)}`]));

const GENDERS: Record<string, string> = { M: 'a) Male', F: 'b) Female', U: 'c) Not stated/recorded' };
const ETHNICITIES = lettered([
  'WBRI',
  'WIRI',
  'WIRT',
  'WOTH',
  'WROM',
  'MWBC',
  'MWBA',
  'MWAS',
  'MOTH',
  'AIND',
  'APKN',
  'ABAN',
  'AOTH',
  'BCRB',
  'BAFR',
  'BOTH',
  'CHNE',
  'OOTH',
  'REFU',
  'NOBT',
]);
const SOURCE_GROUPS: Record<string, string> = {
  '1': 'Individual',
  '2A': 'Schools',
  '2B': 'Education services',
  '3': 'Health services',
  '4': 'Housing',
  '5': 'LA services',
  '6': 'Police',
  '7': 'Other legal agency',
  '8': 'Other',
  '9': 'Anonymous',
  '10': 'Unknown',
};
const SOURCES: Record<string, string> = (() => {
  const codes = ['1A', '1B', '1C', '1D', '2A', '2B', '3A', '3B', '3C', '3D', '3E', '3F', '4', '5A', '5B', '5C'];
  const out = lettered(codes, (c) => `${c}: ${SOURCE_GROUPS[c] ?? SOURCE_GROUPS[c[0]!]}`);
  // 5D came later than the lettering: Ofsted's template slots it in as p1).
  out['5D'] = 'p1) 5D: LA services';
  for (const [c, l] of [
    ['6', 'q'],
    ['7', 'r'],
    ['8', 's'],
    ['9', 't'],
    ['10', 'u'],
  ] as const)
    out[c] = `${l}) ${c}: ${SOURCE_GROUPS[c]}`;
  return out;
})();
const NEEDS: Record<string, string> = {
  N1: 'N1 - Abuse or neglect',
  N2: "N2 - Child's disability",
  N3: 'N3 - Parental disability or illness',
  N4: 'N4 - Family in acute stress',
  N5: 'N5 - Family dysfunction',
  N6: 'N6 - Socially unacceptable behaviour',
  N7: 'N7 - Low income',
  N8: 'N8 - Absent parenting',
  N9: 'N9 - Cases other than children in need',
};
const CLOSURES: Record<string, string> = {
  RC1: 'RC1 - Adopted',
  RC2: 'RC2 - Died',
  RC3: 'RC3 - Child arrangements order',
  RC4: 'RC4 - Special guardianship order',
  RC5: 'RC5 - Transferred to services of another local authority',
  RC6: 'RC6 - Transferred to adult social care services',
  RC7: 'RC7 - Services ceased for any other reason, including child no longer in need',
  RC8: 'RC8 - Case closed after assessment, no further action',
  RC9: 'RC9 - Case closed after assessment, referred to early help',
};
const CATEGORIES: Record<string, string> = {
  NEG: 'a) Neglect',
  PHY: 'b) Physical abuse',
  SAB: 'c) Sexual abuse',
  EMO: 'd) Emotional abuse',
  MUL: 'e) Multiple/not recommended',
};
const yesNo = (v: boolean | null | undefined): string => (v === null || v === undefined ? '' : v ? 'a) Yes' : 'b) No');
/** List 6's Case Status at the day the lists are produced for (the template's five answers). */
export const CASE_STATUSES = {
  looked_after: 'a) Looked after child',
  cp_plan: 'b) Child Protection plan',
  cin_plan: 'c) Child in need plan',
  open_assessment: 'd) Open assessment',
  closed: 'e) Closed episode',
} as const;
export type CaseStatus = keyof typeof CASE_STATUSES;

/**
 * A contact's source (list 1) when the MASH referral names no census code: from the kind of
 * organisation that sent it (CIN census referral sources: 6 police, 2A schools, 3F other health
 * services, 5C another local authority's services, 8 other). A case opened from the referral
 * records the social worker's own code, which is used instead.
 */
export const CONTACT_SOURCE_BY_ORGANISATION_TYPE: Record<string, string> = {
  police_force: '6',
  school: '2A',
  health: '3F',
  local_authority: '5C',
  oversight: '8',
};

export const annexALabels = {
  gender: (code: string | null | undefined) => GENDERS[code ?? 'U'] ?? GENDERS.U!,
  ethnicity: (code: string | null | undefined) => ETHNICITIES[code ?? 'NOBT'] ?? ETHNICITIES.NOBT!,
  source: (code: string | null | undefined) => SOURCES[code ?? '10'] ?? SOURCES['10']!,
  need: (code: string | null | undefined) => (code ? (NEEDS[code] ?? code) : ''),
  closure: (code: string | null | undefined) => (code ? (CLOSURES[code] ?? code) : ''),
  category: (code: string | null | undefined) => (code ? (CATEGORIES[code] ?? code) : ''),
  yesNo,
  caseStatus: (status: CaseStatus) => CASE_STATUSES[status],
};

/** Annex A dates are DD/MM/YYYY. */
export const annexADate = (iso: string | null | undefined): string =>
  iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '';

/** Age in whole years on `at` (Annex A: -1 for an unborn child). */
export function ageOn(dateOfBirth: string | null, at: string): string {
  if (!dateOfBirth) return '-1';
  if (dateOfBirth > at) return '-1';
  const years = Number(at.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return String(at.slice(5) < dateOfBirth.slice(5) ? years - 1 : years);
}

/** The child columns every list starts with. */
export interface AnnexAChild {
  childUniqueId: string;
  sex: string | null;
  ethnicity: string | null;
  dateOfBirth: string | null;
  expectedDateOfBirth?: string | null;
}

export function personCells(c: AnnexAChild, at: string): string[] {
  const dob = c.dateOfBirth ?? c.expectedDateOfBirth ?? null;
  return [
    c.childUniqueId,
    annexALabels.gender(c.sex),
    annexALabels.ethnicity(c.ethnicity),
    annexADate(dob),
    c.dateOfBirth ? ageOn(c.dateOfBirth, at) : '-1',
  ];
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A cell a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR at the start) is prefixed with an apostrophe, so a
 * name typed into the record cannot become a formula on an inspector's machine. Numbers (a count,
 * an age of -1) are written as they are.
 */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v) && !/^-?\d+$/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The list as CSV: the published header row, then one row per item, CRLF line ends. */
export function buildAnnexACsv(list: AnnexAList, rows: string[][]): string {
  const columns = ANNEX_A_LISTS[list].columns;
  for (const [i, r] of rows.entries()) {
    if (r.length !== columns.length) {
      throw new Error(`Annex A list ${list} row ${i} has ${r.length} cells for ${columns.length} columns`);
    }
  }
  return [columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
