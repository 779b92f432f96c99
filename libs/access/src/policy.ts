import type { OrganisationType } from '@app/platform';
import { fieldsOf, SENSITIVITY_CLASSES, type SensitivityClass } from './classification';
import { ALL_ROLES, type Role, type Scope } from './roles';

export type Action = 'manage' | 'read' | 'create' | 'update' | 'delete' | 'receive' | 'withdraw' | 'triage';
export type Subject =
  | 'all'
  | 'Organisation'
  | 'Team'
  | 'User'
  | 'RoleGrant'
  | 'ApiClient'
  | 'Child'
  | 'ChildAddress'
  | 'ChildSection'
  | 'ChronologyEntry'
  | 'AccessLog'
  | 'BreakGlass'
  | 'Concern'
  | 'Referral'
  | 'SharingAgreement'
  | 'InformationRequest'
  | 'SharingGrant'
  | 'Webhook';

/**
 * One rule of the policy. Conditions may name the actor's own values as `${actor.organisationId}`,
 * `${actor.id}` or `${actor.teamId}`; they are filled in when an actor's ability is built.
 */
export interface RuleSpec {
  action: Action | Action[];
  subject: Subject | Subject[];
  conditions?: Record<string, unknown>;
  fields?: string[];
  inverted?: boolean;
  /** Why the rule exists, for people reading the policy and for 403 messages. */
  reason?: string;
}

const ORG = '${actor.organisationId}';
const ME = '${actor.id}';

// Need-to-know: how an actor comes to see a child at all.
const INVOLVED = { restricted: false, involvedOrganisationIds: ORG };
const CASE_TEAM = { caseTeamUserIds: ME };
const BREAK_GLASS = { restricted: false, breakGlassUserIds: ME };

/** What each kind of agency reads of the shared record (its own section and entries aside). */
export const AGENCY_CLASSES: Record<Exclude<OrganisationType, 'oversight'>, SensitivityClass[]> = {
  police_force: ['identity', 'contact', 'police-intelligence'],
  local_authority: ['identity', 'contact', 'social-care'],
  school: ['identity', 'contact', 'education'],
  health: ['identity', 'contact', 'health', 'sexual-health'],
};
const INSPECTION_CLASSES: SensitivityClass[] = ['identity', 'contact', 'social-care', 'education', 'health'];

/** Identity fields a practitioner may correct; the PNC ID is police-only. */
const IDENTITY_UPDATES = [
  'givenName',
  'familyName',
  'preferredName',
  'previousNames',
  'dateOfBirth',
  'expectedDateOfBirth',
  'sex',
  'ethnicity',
  'firstLanguage',
  'interpreterNeeded',
  'disabilities',
  'nhsNumber',
  'upn',
  'laChildId',
];

const everyone: RuleSpec[] = [
  {
    action: 'read',
    subject: ['Organisation', 'Team'],
    reason: 'the directory of partner agencies is open to all of them',
  },
];

/** Reading the shared record: the child's core fields of the given classes, own section, visible entries. */
function readRecord(classes: SensitivityClass[]): RuleSpec[] {
  const fields = fieldsOf('Child', classes);
  return [
    ...[INVOLVED, CASE_TEAM, BREAK_GLASS].map((conditions) => ({
      action: 'read' as const,
      subject: 'Child' as const,
      fields,
      conditions,
      reason: 'need to know: an active involvement, the case team, or break-glass',
    })),
    { action: 'read', subject: 'ChildAddress', conditions: { confidential: false } },
    {
      action: 'read',
      subject: 'ChildAddress',
      conditions: { organisationId: ORG },
      reason: 'a confidential address is seen only by the organisation that recorded it',
    },
    { action: 'read', subject: 'ChildSection', conditions: { organisationId: ORG }, reason: 'own agency section' },
    // A disclosure (a live grant) opens exactly its classes of another agency's section.
    ...SENSITIVITY_CLASSES.map((cls) => ({
      action: 'read' as const,
      subject: 'ChildSection' as const,
      fields: fieldsOf('ChildSection', [cls]),
      conditions: { grantedClasses: cls },
      reason: 'granted by a disclosure decision',
    })),
    { action: 'read', subject: 'ChronologyEntry', conditions: { organisationId: ORG } },
    {
      action: 'read',
      subject: 'ChronologyEntry',
      conditions: { shareable: true, sensitivity: { $in: classes } },
      reason: "other agencies' entries marked shareable, of classes this role may read",
    },
  ];
}

/** Writing to the shared record as a practitioner of an involved organisation. */
function writeRecord(recordable: SensitivityClass[], extraFields: string[] = []): RuleSpec[] {
  return [
    { action: 'create', subject: 'Child', reason: 'registering a child makes the organisation involved' },
    ...[INVOLVED, CASE_TEAM].map((conditions) => ({
      action: 'update' as const,
      subject: 'Child' as const,
      fields: [...IDENTITY_UPDATES, ...extraFields],
      conditions,
    })),
    { action: 'create', subject: 'ChildAddress' },
    {
      action: 'update',
      subject: 'ChildSection',
      conditions: { organisationId: ORG },
      reason: 'own agency section only',
    },
    {
      action: 'create',
      subject: 'ChronologyEntry',
      conditions: { organisationId: ORG, sensitivity: { $in: recordable } },
      reason: 'entries are recorded in classes the agency holds',
    },
  ];
}

/** Administrators and nominated leads manage their organisation's information-sharing agreements. */
const agreementManager: RuleSpec[] = [
  { action: 'create', subject: 'SharingAgreement' },
  { action: 'read', subject: 'SharingAgreement', conditions: { partyOrganisationIds: ORG } },
  { action: 'update', subject: 'SharingAgreement', conditions: { createdByOrganisationId: ORG } },
];

/** Leads: see who looked at a record, open one in an emergency, restrict one to a case team. */
const lead: RuleSpec[] = [
  ...agreementManager,
  { action: 'read', subject: 'AccessLog' },
  { action: 'create', subject: 'BreakGlass', reason: 'emergency access, stated reason, audited, owner alerted' },
  ...[INVOLVED, CASE_TEAM].map((conditions) => ({
    action: 'update' as const,
    subject: 'Child' as const,
    fields: ['restricted'],
    conditions,
  })),
];

/** Any professional may log a concern, and follow what became of their own. */
const reporter: RuleSpec[] = [
  { action: 'create', subject: 'Concern' },
  {
    action: 'read',
    subject: 'Concern',
    conditions: { reporterId: ME },
    reason: 'a reporter follows their own concern',
  },
];

/** Everyone working with records sees the agreements their organisation is party to, and asks others. */
const requester: RuleSpec[] = [
  { action: 'read', subject: 'SharingAgreement', conditions: { partyOrganisationIds: ORG } },
  { action: 'create', subject: 'InformationRequest' },
  {
    action: 'read',
    subject: 'InformationRequest',
    conditions: { fromOrganisationId: ORG },
    reason: 'the requester sees the decision, not the content',
  },
  { action: 'read', subject: 'SharingGrant', conditions: { granteeOrganisationId: ORG } },
];

/** Leads decide what their organisation discloses, and may revoke what it granted. */
const discloser: RuleSpec[] = [
  { action: ['read', 'receive'], subject: 'InformationRequest', conditions: { toOrganisationId: ORG } },
  { action: ['read', 'update'], subject: 'SharingGrant', conditions: { grantorOrganisationId: ORG } },
];

/** Safeguarding leads: decide on their organisation's concerns; send referrals; work the inbox. */
const inboxLead: RuleSpec[] = [
  { action: ['read', 'update'], subject: 'Concern', conditions: { organisationId: ORG } },
  ...referrer(),
  { action: ['read', 'receive'], subject: 'Referral', conditions: { toOrganisationId: ORG } },
  ...requester,
  ...discloser,
];

function referrer(): RuleSpec[] {
  return [
    { action: 'create', subject: 'Referral' },
    {
      action: ['read', 'withdraw'],
      subject: 'Referral',
      conditions: { fromOrganisationId: ORG },
      reason: 'the sender always sees the status and outcome',
    },
  ];
}

const councilTriage: RuleSpec[] = [{ action: 'triage', subject: 'Referral', conditions: { toOrganisationId: ORG } }];

const police = AGENCY_CLASSES.police_force;
const council = AGENCY_CLASSES.local_authority;
const school = AGENCY_CLASSES.school;
const health = AGENCY_CLASSES.health;

/**
 * The policy as data: role -> rules. A role missing a rule has no access (default deny).
 * A change here changes who can do what: review it as a permission change.
 */
export const POLICY: Record<Role, RuleSpec[]> = {
  police_officer: [...everyone, ...readRecord(police), ...writeRecord(police, ['pncId']), ...reporter, ...referrer()],
  cse_officer: [...everyone, ...readRecord(police), ...writeRecord(police, ['pncId']), ...reporter, ...inboxLead],
  cse_supervisor: [
    ...everyone,
    ...readRecord(police),
    ...writeRecord(police, ['pncId']),
    ...lead,
    ...reporter,
    ...inboxLead,
  ],
  intelligence_analyst: [...everyone, ...readRecord(police), ...reporter],
  social_worker: [
    ...everyone,
    ...readRecord(council),
    ...writeRecord(council),
    ...reporter,
    ...referrer(),
    ...requester,
  ],
  mash_officer: [
    ...everyone,
    ...readRecord(council),
    ...writeRecord(council),
    { action: 'create', subject: 'BreakGlass', reason: 'MASH checks may need a record outside need-to-know' },
    ...reporter,
    ...inboxLead,
    ...councilTriage,
  ],
  team_manager: [
    ...everyone,
    ...readRecord(council),
    ...writeRecord(council),
    ...lead,
    ...reporter,
    ...inboxLead,
    ...councilTriage,
  ],
  conference_chair: [...everyone, ...readRecord(council), ...reporter],
  school_staff: [...everyone, ...reporter],
  dsl: [
    ...agreementManager,
    ...everyone,
    ...readRecord(school),
    ...writeRecord(school),
    { action: 'read', subject: 'AccessLog' },
    ...reporter,
    ...inboxLead,
  ],
  health_practitioner: [...everyone, ...readRecord(health), ...writeRecord(health), ...reporter],
  named_safeguarding_professional: [
    ...everyone,
    ...readRecord(health),
    ...writeRecord(health),
    ...lead,
    ...reporter,
    ...inboxLead,
  ],
  inspector: [
    ...everyone,
    {
      action: 'read',
      subject: 'Child',
      fields: fieldsOf('Child', INSPECTION_CLASSES),
      conditions: { restricted: false },
      reason: 'inspection reads every unrestricted record, and writes nothing',
    },
    { action: 'read', subject: 'ChildAddress', conditions: { confidential: false } },
    { action: 'read', subject: 'ChildSection', fields: fieldsOf('ChildSection', INSPECTION_CLASSES) },
    { action: 'read', subject: 'ChronologyEntry', conditions: { sensitivity: { $in: INSPECTION_CLASSES } } },
    { action: 'read', subject: 'AccessLog' },
    { action: 'read', subject: ['Concern', 'Referral'], reason: 'oversight of overdue and ignored work' },
    {
      action: 'read',
      subject: ['SharingAgreement', 'InformationRequest', 'SharingGrant'],
      reason: 'decisions to share or not',
    },
  ],
  whistleblowing_officer: [...everyone],
  org_admin: [
    ...everyone,
    {
      action: ['read', 'create', 'update'],
      subject: 'User',
      conditions: { organisationId: ORG },
      reason: "organisation administrators manage their own organisation's people, and read no child data",
    },
    {
      action: ['read', 'update'],
      subject: 'RoleGrant',
      conditions: { organisationId: ORG },
      reason:
        'a grant of a role that reads child data (or of org_admin) waits for a second administrator of the ' +
        'organisation: never the one who asked, nor the person it is for',
    },
    {
      action: ['read', 'update'],
      subject: 'ApiClient',
      conditions: { organisationId: ORG },
      reason: "administrators see their organisation's partner-system clients and deactivate them (not widen them)",
    },
    ...agreementManager,
  ],
};

/** Subjects that are, or reveal, data about a child (a concern or referral names one). */
export const CHILD_DATA_SUBJECTS: readonly Subject[] = [
  'Child',
  'ChildAddress',
  'ChildSection',
  'ChronologyEntry',
  'AccessLog',
  'BreakGlass',
  'Concern',
  'Referral',
  'InformationRequest',
  'SharingGrant',
];

/**
 * Whether a role reads any child data, read off the policy itself: any rule letting it read (or
 * manage) a child-data subject, under whatever conditions. A school_staff member reads only the
 * concerns they raised, and that counts: it still tells them what became of a child's case.
 */
export function readsChildData(role: Role): boolean {
  const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
  return POLICY[role].some(
    (rule) =>
      !rule.inverted &&
      list(rule.action).some((a) => a === 'read' || a === 'manage') &&
      list(rule.subject).some((s) => s === 'all' || CHILD_DATA_SUBJECTS.includes(s)),
  );
}

/**
 * Roles an administrator grants only with a second administrator's approval: every role that reads
 * child data, and org_admin itself, which approves such grants (else one administrator could make
 * an accomplice account an administrator and have it approve their requests).
 */
export const ROLES_NEEDING_APPROVAL: readonly Role[] = ALL_ROLES.filter(
  (role) => role === 'org_admin' || readsChildData(role),
);

/** What an API client may do, by scope and by the kind of organisation it acts for. Clients hold no roles. */
export const SCOPE_POLICY: Record<Scope, Partial<Record<OrganisationType, RuleSpec[]>>> = {
  'organisations:read': Object.fromEntries(
    (['police_force', 'local_authority', 'school', 'health', 'oversight'] as const).map((t) => [t, everyone]),
  ),
  'children:read': {
    police_force: readRecord(police),
    local_authority: readRecord(council),
    school: readRecord(school),
    health: readRecord(health),
  },
  'referrals:write': Object.fromEntries(
    (['police_force', 'local_authority', 'school', 'health'] as const).map((t) => [t, referrer()]),
  ),
  'requests:write': Object.fromEntries(
    (['police_force', 'local_authority', 'school', 'health'] as const).map((t) => [t, requester]),
  ),
};

/** Every API client manages its own webhook subscriptions, whatever its scopes. */
export const CLIENT_BASE: RuleSpec[] = [
  { action: ['create', 'read', 'update'], subject: 'Webhook', conditions: { clientId: ME } },
];
