import type { OrganisationType } from '@app/platform';
import { allFieldsOf, classOf, fieldsOf, SENSITIVITY_CLASSES, type SensitivityClass } from './classification';
import { ALL_ROLES, type Role, type Scope } from './roles';

export type Action =
  'manage' | 'read' | 'create' | 'update' | 'delete' | 'receive' | 'withdraw' | 'triage' | 'authorise' | 'reallocate';
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
  | 'AccessLogDetail'
  | 'BreakGlass'
  | 'Concern'
  | 'Referral'
  | 'SharingAgreement'
  | 'InformationRequest'
  | 'SharingGrant'
  | 'Webhook'
  | 'Timescales'
  | 'CsCase'
  | 'CsConference'
  | 'StatutoryReturn'
  // education (issue 15)
  | 'Pupil'
  | 'SchoolFile'
  | 'FileTransfer'
  | 'SchoolCalendar'
  // health (issue 15)
  | 'ProtectionStatus'
  | 'ProtectionLookup'
  // survivors' therapeutic support (issue 15, shared by every agency)
  | 'SupportPlan'
  | 'CseScreening'
  | 'MissingEpisode'
  | 'PoliceIntelligence'
  | 'Cawn'
  | 'PoliceNode'
  | 'WhistleblowingReport'
  | 'OversightTimeline'
  | 'OversightDashboard'
  | 'InspectionList'
  | 'ResponsibilityHistory'
  | 'WhistleblowingNotice';

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
const TEAM = '${actor.teamId}';

/*
 * How an actor comes to know a child at all (ARCHITECTURE.md §4). Each is a condition on the child
 * (or, for the parts of a record, on the child it belongs to), computed the same way in SQL and in
 * memory (libs/children/src/child-scope.ts):
 * - working with the child: an active involvement of the actor's organisation (registration, an
 *   accepted referral, a MASH enquiry, a strategy discussion or conference, a core group);
 * - granted: a live disclosure to the actor's organisation names the class (read-only, that class
 *   of the discloser's data only; computed from the grants, so it ends when they do);
 * - triage: the actor's team received an open referral about the child (identity only, until decided);
 * - the case team of a restricted child, and break-glass (an emergency, audited, owner alerted).
 */
const WORKING_WITH = { restricted: false, involvedOrganisationIds: ORG };
const CASE_TEAM = { caseTeamUserIds: ME };
const BREAK_GLASS = { restricted: false, breakGlassUserIds: ME };
const TRIAGE = { restricted: false, triageTeamIds: TEAM };
const granted = (cls: SensitivityClass) => ({ restricted: false, grantedClasses: cls });
/** Who else works with the child is theirs to share: seen only by those working with it too. */
const WORKING_ONLY_FIELDS = ['involvements'];

/** The same relations, judged on the child a part of the record (address, section, entry) belongs to. */
interface Knowing {
  conditions: Record<string, unknown>;
  how: string;
}
const PART_WORKING_WITH: Knowing = {
  conditions: { childRestricted: false, childInvolvedOrganisationIds: ORG },
  how: 'working with the child',
};
const PART_CASE_TEAM: Knowing = {
  conditions: { childCaseTeamUserIds: ME },
  how: "on the restricted child's case team",
};
const PART_BREAK_GLASS: Knowing = {
  conditions: { childRestricted: false, childBreakGlassUserIds: ME },
  how: 'under break-glass',
};
/** Every way of reading the parts of a record in the role's view. */
const KNOWING: Knowing[] = [PART_WORKING_WITH, PART_CASE_TEAM, PART_BREAK_GLASS];
/** The ways that let an organisation write onto the record: never a disclosure, triage or break-glass. */
const WRITING: Knowing[] = [PART_WORKING_WITH, PART_CASE_TEAM];
/** A part of the record disclosed to the actor's organisation by the organisation that recorded it. */
const partGranted = (cls: SensitivityClass) => ({ childRestricted: false, grantedClasses: cls });

/** What each kind of agency reads of the shared record (its own section and entries aside). */
export const AGENCY_CLASSES: Record<Exclude<OrganisationType, 'oversight'>, SensitivityClass[]> = {
  police_force: ['identity', 'contact', 'police-intelligence'],
  local_authority: ['identity', 'contact', 'social-care'],
  school: ['identity', 'contact', 'education'],
  health: ['identity', 'contact', 'health', 'sexual-health'],
};
/**
 * Classes an agency holds that not all of its people read, even of their own organisation's section
 * and entries: sexual health only by the named safeguarding nurses (and by a grant naming it).
 * Others of the agency may still record them (write-only), never read them back.
 */
const NAMED_ONLY_CLASSES: SensitivityClass[] = ['sexual-health'];
/** What a health practitioner who is not a named safeguarding nurse reads. */
const HEALTH_PRACTITIONER_CLASSES: SensitivityClass[] = AGENCY_CLASSES.health.filter(
  (c) => !NAMED_ONLY_CLASSES.includes(c),
);
const INSPECTION_CLASSES: SensitivityClass[] = ['identity', 'contact', 'social-care', 'education', 'health'];

/** What a multi-agency chronology line shows to every organisation working with the child. */
export const CHRONOLOGY_SUMMARY_FIELDS = [
  'id',
  'childId',
  'organisationId',
  'organisationName',
  'occurredAt',
  'recordedAt',
  'category',
  'summary',
  'multiAgency',
];

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

/**
 * Rules every actor (person or partner system) gets after its own, whatever its roles: a restricted
 * child (e.g. a placement hidden from family) is known only to its case team, everywhere the child
 * appears, not only on the record itself.
 */
export const EVERY_ACTOR: RuleSpec[] = [
  {
    inverted: true,
    action: ['read', 'update', 'receive', 'withdraw', 'triage'],
    subject: [
      'Concern',
      'Referral',
      'InformationRequest',
      'SharingGrant',
      'CsCase',
      'Pupil',
      'SchoolFile',
      'FileTransfer',
      'SupportPlan',
    ],
    conditions: { childHiddenFrom: ME },
    reason: 'a restricted child is known only to its case team, in referrals, concerns, requests and grants too',
  },
];

/**
 * Reading the shared record: the three ways of knowing a child, by sensitivity class. `withheld`:
 * classes the agency holds that this role does not read even in its own organisation's section and
 * entries (sexual health, for health practitioners other than the named nurses).
 */
function readRecord(classes: SensitivityClass[], withheld: SensitivityClass[] = []): RuleSpec[] {
  const fields = fieldsOf('Child', classes);
  return [
    {
      action: 'read',
      subject: 'Child',
      fields,
      conditions: WORKING_WITH,
      reason: "working with the child: the role's classes of the shared record",
    },
    {
      action: 'read',
      subject: 'Child',
      fields,
      conditions: CASE_TEAM,
      reason: "on a restricted child's case team: the role's classes of the shared record",
    },
    {
      action: 'read',
      subject: 'Child',
      fields,
      conditions: BREAK_GLASS,
      reason: 'break-glass: an emergency outside need-to-know, reason stated, audited, the lead agency told',
    },
    ...SENSITIVITY_CLASSES.map((cls) => ({
      action: 'read' as const,
      subject: 'Child' as const,
      fields: fieldsOf('Child', [cls]).filter((f) => !WORKING_ONLY_FIELDS.includes(f)),
      conditions: granted(cls),
      reason: `a live disclosure of ${cls} to the organisation: those core fields (not who else works with the child), read-only`,
    })),
    ...KNOWING.map(({ conditions, how }) => ({
      action: 'read' as const,
      subject: 'ChildAddress' as const,
      conditions: { confidential: false, ...conditions },
      reason: `${how}: the child's addresses, except those another agency marked confidential`,
    })),
    {
      action: 'read',
      subject: 'ChildAddress',
      conditions: { organisationId: ORG },
      reason: 'an organisation always reads the addresses it recorded, confidential ones included',
    },
    {
      action: 'read',
      subject: 'ChildAddress',
      conditions: { confidential: false, ...partGranted('contact') },
      reason: 'a live disclosure of contact details: the addresses the discloser recorded',
    },
    withheld.length === 0
      ? {
          action: 'read',
          subject: 'ChildSection',
          conditions: { organisationId: ORG },
          reason: "an organisation reads its own agency section; other agencies' sections only by disclosure",
        }
      : {
          action: 'read',
          subject: 'ChildSection',
          fields: allFieldsOf('ChildSection').filter((f) => !withheld.includes(classOf('ChildSection', f) as never)),
          conditions: { organisationId: ORG },
          reason: `its own agency section, without ${withheld.join(', ')} (named safeguarding nurses only)`,
        },
    ...SENSITIVITY_CLASSES.map((cls) => ({
      action: 'read' as const,
      subject: 'ChildSection' as const,
      fields: fieldsOf('ChildSection', [cls]),
      conditions: partGranted(cls),
      reason: `a live disclosure of ${cls}: those fields of the discloser's section`,
    })),
    {
      action: 'read',
      subject: 'ChronologyEntry',
      conditions:
        withheld.length === 0 ? { organisationId: ORG } : { organisationId: ORG, sensitivity: { $nin: withheld } },
      reason:
        withheld.length === 0
          ? 'an organisation reads the chronology entries it recorded'
          : `the chronology entries its organisation recorded, except ${withheld.join(', ')} (named safeguarding nurses only)`,
    },
    ...KNOWING.map(({ conditions, how }) => ({
      action: 'read' as const,
      subject: 'ChronologyEntry' as const,
      conditions: { shareable: true, sensitivity: { $in: classes }, ...conditions },
      reason: `${how}: other agencies' entries marked shareable, in classes the role reads`,
    })),
    ...KNOWING.map(({ conditions, how }) => ({
      action: 'read' as const,
      subject: 'ChronologyEntry' as const,
      fields: CHRONOLOGY_SUMMARY_FIELDS,
      conditions: { multiAgency: true, ...conditions },
      reason: `${how}: the multi-agency chronology, as summaries (details stay behind their class)`,
    })),
    ...SENSITIVITY_CLASSES.map((cls) => ({
      action: 'read' as const,
      subject: 'ChronologyEntry' as const,
      conditions: { shareable: true, sensitivity: cls, ...partGranted(cls) },
      reason: `a live disclosure of ${cls}: the discloser's shareable entries of that class`,
    })),
  ];
}

/** The receiving team of an open referral reads who the child is, until it decides. */
const triage: RuleSpec[] = [
  {
    action: 'read',
    subject: 'Child',
    fields: fieldsOf('Child', ['identity']).filter((f) => !WORKING_ONLY_FIELDS.includes(f)),
    conditions: TRIAGE,
    reason: 'triage: the team that received an open referral reads who the child is, until it decides',
  },
];

/** Writing to the shared record: only while working with the child (a disclosure is read-only). */
function writeRecord(recordable: SensitivityClass[], extraFields: string[] = []): RuleSpec[] {
  return [
    { action: 'create', subject: 'Child', reason: 'registering a child makes the organisation work with it' },
    {
      action: 'update',
      subject: 'Child',
      fields: [...IDENTITY_UPDATES, ...extraFields],
      conditions: WORKING_WITH,
      reason: 'working with the child: correct the shared record (a disclosure never allows writing)',
    },
    {
      action: 'update',
      subject: 'Child',
      fields: [...IDENTITY_UPDATES, ...extraFields],
      conditions: CASE_TEAM,
      reason: "the restricted child's case team corrects the shared record",
    },
    ...WRITING.map(({ conditions, how }) => ({
      action: 'create' as const,
      subject: 'ChildAddress' as const,
      conditions,
      reason: `${how}: record an address`,
    })),
    ...WRITING.map(({ conditions, how }) => ({
      action: 'update' as const,
      subject: 'ChildSection' as const,
      conditions: { organisationId: ORG, ...conditions },
      reason: `${how}: write the organisation's own agency section only`,
    })),
    ...WRITING.map(({ conditions, how }) => ({
      action: 'create' as const,
      subject: 'ChronologyEntry' as const,
      conditions: { organisationId: ORG, sensitivity: { $in: recordable }, ...conditions },
      reason: `${how}: record entries in the classes the agency holds`,
    })),
  ];
}

/** Administrators and nominated leads manage their organisation's information-sharing agreements. */
const agreementManager: RuleSpec[] = [
  { action: 'create', subject: 'SharingAgreement', reason: 'agreements are made by administrators and leads' },
  {
    action: 'read',
    subject: 'SharingAgreement',
    conditions: { partyOrganisationIds: ORG },
    reason: 'the agreements the organisation is party to',
  },
  {
    action: 'update',
    subject: 'SharingAgreement',
    conditions: { createdByOrganisationId: ORG },
    reason: 'an agreement is changed by the organisation that made it',
  },
];

/** Who looked at a child's record, as the access-log rules allow (tipping off: see AccessLogDetail). */
const accessLogReader = (how: string): RuleSpec[] =>
  WRITING.map(({ conditions, how: knowing }) => ({
    action: 'read' as const,
    subject: 'AccessLog' as const,
    conditions,
    reason: `${how}, ${knowing}: who looked at the record (other organisations as organisation and time)`,
  }));

/** Leads: see who looked at a record, open one in an emergency, restrict one to a case team. */
const lead: RuleSpec[] = [
  ...agreementManager,
  ...accessLogReader('a lead'),
  { action: 'create', subject: 'BreakGlass', reason: 'emergency access, stated reason, audited, owner alerted' },
  {
    action: 'update',
    subject: 'Child',
    fields: ['restricted'],
    conditions: WORKING_WITH,
    reason: 'a lead working with the child restricts the record to a named case team',
  },
  {
    action: 'update',
    subject: 'Child',
    fields: ['restricted'],
    conditions: CASE_TEAM,
    reason: 'a lead on the case team changes the restriction and the team',
  },
];

/** Any professional may log a concern, and follow what became of their own. */
const reporter: RuleSpec[] = [
  { action: 'create', subject: 'Concern', reason: 'anyone working with children may raise a concern' },
  {
    action: 'read',
    subject: 'Concern',
    conditions: { reporterId: ME },
    reason: 'a reporter follows their own concern',
  },
];

/** Everyone working with records sees the agreements their organisation is party to, and asks others. */
const requester: RuleSpec[] = [
  {
    action: 'read',
    subject: 'SharingAgreement',
    conditions: { partyOrganisationIds: ORG },
    reason: 'the agreements the organisation is party to',
  },
  { action: 'create', subject: 'InformationRequest', reason: 'practitioners ask other agencies for information' },
  {
    action: 'read',
    subject: 'InformationRequest',
    conditions: { fromOrganisationId: ORG },
    reason: 'the requester sees the decision, not the content',
  },
  {
    action: 'read',
    subject: 'SharingGrant',
    conditions: { granteeOrganisationId: ORG },
    reason: 'the disclosures made to the organisation',
  },
];

/** Leads decide what their organisation discloses, and may revoke what it granted. */
const discloser: RuleSpec[] = [
  {
    action: ['read', 'receive'],
    subject: 'InformationRequest',
    conditions: { toOrganisationId: ORG },
    reason: 'leads decide the requests made to their organisation',
  },
  {
    action: ['read', 'update'],
    subject: 'SharingGrant',
    conditions: { grantorOrganisationId: ORG },
    reason: 'the disclosures the organisation made, to review and revoke',
  },
];

function referrer(): RuleSpec[] {
  return [
    { action: 'create', subject: 'Referral', reason: 'practitioners refer children to other agencies' },
    {
      action: ['read', 'withdraw'],
      subject: 'Referral',
      conditions: { fromOrganisationId: ORG },
      reason: 'the sender always sees the status and outcome',
    },
  ];
}

/** Safeguarding leads: decide on their organisation's concerns; send referrals; work the inbox. */
const inboxLead: RuleSpec[] = [
  {
    action: ['read', 'update'],
    subject: 'Concern',
    conditions: { organisationId: ORG },
    reason: "safeguarding leads decide their organisation's concerns",
  },
  ...referrer(),
  {
    action: ['read', 'receive'],
    subject: 'Referral',
    conditions: { toOrganisationId: ORG },
    reason: 'the receiving organisation works its referral inbox',
  },
  ...triage,
  ...requester,
  ...discloser,
];

const councilTriage: RuleSpec[] = [
  {
    action: 'triage',
    subject: 'Referral',
    conditions: { toOrganisationId: ORG },
    reason: "children's services' front door (MASH) triages and decides the referrals it receives",
  },
];

/**
 * Children's services' own case work (assessments, strategy discussions, s47 enquiries, plans,
 * closure): the council's records, kept by its practitioners; each step also needs the child
 * (working with it) through the shared record.
 */
const councilCasework: RuleSpec[] = [
  {
    action: ['read', 'create', 'update'],
    subject: 'CsCase',
    conditions: { organisationId: ORG },
    reason: "the council's practitioners keep its children in need cases (assessments, s47, plans, closure)",
  },
];
const councilAuthoriser: RuleSpec[] = [
  {
    action: 'authorise',
    subject: 'CsCase',
    conditions: { organisationId: ORG },
    reason: 'a team manager authorises a child and family assessment and its outcome (Working Together 2023)',
  },
  {
    action: 'reallocate',
    subject: 'CsCase',
    conditions: { organisationId: ORG },
    reason:
      "a team manager allocates the council's cases to its social workers and teams (the case's running clocks follow)",
  },
];
const conferenceChair: RuleSpec[] = [
  {
    action: 'read',
    subject: 'CsCase',
    conditions: { organisationId: ORG },
    reason: "the conference chair reads the council's case to chair its conferences",
  },
  {
    action: 'create',
    subject: 'CsConference',
    conditions: { organisationId: ORG },
    reason: "child protection conferences are chaired and recorded by the council's independent chair",
  },
];

/** School staff: their school's roll (who, not the record), to name a pupil in a concern. */
const schoolStaff: RuleSpec[] = [
  {
    action: 'read',
    subject: 'Pupil',
    conditions: { organisationId: ORG },
    reason:
      "school staff see who is on their school's roll (name and year group), to name a pupil in a concern; " +
      'the roll is not the record',
  },
];

/** The designated safeguarding lead: the roll, each pupil's safeguarding file, and its transfer on a move. */
const safeguardingLead: RuleSpec[] = [
  {
    action: ['create', 'update'],
    subject: 'Pupil',
    conditions: { organisationId: ORG },
    reason: "the DSL keeps the school's roll (by UPN) for safeguarding",
  },
  {
    action: ['read', 'update'],
    subject: 'SchoolFile',
    conditions: { organisationId: ORG },
    reason: "the DSL keeps each pupil's safeguarding file: concerns, decisions, actions, status",
  },
  { action: 'create', subject: 'FileTransfer', reason: "the DSL sends a moving pupil's safeguarding file" },
  {
    action: 'read',
    subject: 'FileTransfer',
    conditions: { fromOrganisationId: ORG },
    reason: 'the sending school follows the files it sent',
  },
  {
    action: ['read', 'receive'],
    subject: 'FileTransfer',
    conditions: { toOrganisationId: ORG },
    reason: "the new school's DSL reads the transferred file (a read-only copy) and confirms receipt",
  },
];

/** Who sets a school's closure days, which its school-day clocks skip. */
const schoolCalendar: RuleSpec[] = [
  {
    action: ['read', 'update'],
    subject: 'SchoolCalendar',
    conditions: { organisationId: ORG },
    reason: 'a school sets its own closure days (INSET days, half terms): its school-day clocks skip them',
  },
];

/** Health practitioners ask the protection-status question (the CP-IS pattern): four answers only. */
const protectionStatusLookUp: RuleSpec[] = [
  {
    action: 'read',
    subject: 'ProtectionStatus',
    reason:
      'health practitioners learn whether a child is on a child protection plan or looked after, and which council ' +
      'to call (four answers only, every look-up recorded and the council told)',
  },
];

/** The responsible council sees who looked up its children's protection status. */
const protectionLookups: RuleSpec[] = [
  {
    action: 'read',
    subject: 'ProtectionLookup',
    conditions: { councilOrganisationId: ORG },
    reason:
      "the council responsible for a child's plan sees every look-up of its status (the latest 25 and the history)",
  },
];

/*
 * Survivors' therapeutic support (libs/health, shared by every agency): an organisation working
 * with the child starts it; only the plan's key worker and the organisation's managers (those its
 * overdue reviews go up to) read or change it. Need-to-know: nobody else, not even colleagues.
 */
const supportPlanWorker: RuleSpec[] = [
  {
    action: 'create',
    subject: 'SupportPlan',
    reason: 'a practitioner working with a survivor refers them to therapeutic support, with their consent',
  },
  {
    action: ['read', 'update'],
    subject: 'SupportPlan',
    conditions: { organisationId: ORG, keyWorkerId: ME },
    reason: "the key worker reads and reviews the plan they hold (consent and need-to-know: nobody else's)",
  },
];
const supportPlanManager: RuleSpec[] = [
  ...supportPlanWorker,
  {
    action: ['read', 'update'],
    subject: 'SupportPlan',
    conditions: { organisationId: ORG },
    reason: "the service's managers oversee its support plans (overdue reviews go up to them) and reassign them",
  },
];

/*
 * The police CSE unit (libs/police): police intelligence, held by the force that recorded it.
 * Analysts read, officers write, supervisors review (disclosures of a node to another force after
 * a cross-force match). Nothing here is read by another kind of agency (tipping-off); another force
 * reads only the persons, vehicles and locations disclosed to it.
 */
const POLICE_WORK: Subject[] = ['CseScreening', 'MissingEpisode', 'PoliceIntelligence', 'Cawn'];
const policeReader: RuleSpec[] = [
  {
    action: 'read',
    subject: POLICE_WORK,
    conditions: { organisationId: ORG },
    reason: 'police intelligence is read within the force that recorded it (analysts, officers, supervisors)',
  },
  {
    action: 'read',
    subject: 'PoliceIntelligence',
    conditions: { granteeOrganisationIds: ORG },
    reason:
      'a person, vehicle or location another force disclosed after a cross-force match: that node only, read-only',
  },
];
const missingEpisodeWriter: RuleSpec[] = [
  { action: 'create', subject: 'MissingEpisode', reason: 'officers record a missing episode' },
  {
    action: 'update',
    subject: 'MissingEpisode',
    conditions: { organisationId: ORG },
    reason: "officers record the force's missing child found and the return home interview",
  },
];
const policeWriter: RuleSpec[] = [
  ...missingEpisodeWriter,
  {
    action: 'create',
    subject: ['CseScreening', 'PoliceIntelligence', 'Cawn'],
    reason: 'CSE officers screen, record persons, vehicles, locations and links, and serve CAWNs',
  },
  {
    action: 'update',
    subject: 'PoliceNode',
    conditions: { organisationId: ORG },
    reason:
      "CSE officers correct the persons, vehicles and locations their force recorded (never another force's, even disclosed)",
  },
];
const policeReviewer: RuleSpec[] = [
  {
    action: 'update',
    subject: 'PoliceIntelligence',
    conditions: { organisationId: ORG },
    reason: "supervisors review the force's intelligence and decide what of it is disclosed to another force",
  },
  {
    action: 'update',
    subject: 'Cawn',
    conditions: { organisationId: ORG },
    reason:
      "supervisors end the force's child abduction warning notices: withdrawn while one runs, or let end once it lapsed",
  },
];

const police = AGENCY_CLASSES.police_force;
const council = AGENCY_CLASSES.local_authority;
const school = AGENCY_CLASSES.school;
const health = AGENCY_CLASSES.health;

/**
 * A school's designated safeguarding lead's safeguarding work: the roll, each pupil's file and its
 * transfer, the inbox, the record. Keeping children safe in education: deputies are trained to the
 * DSL's standard and do this work too; the lead alone keeps the school's decisions as an
 * organisation (its closure days, its information-sharing agreements).
 */
const safeguardingLeadWork = (who: string): RuleSpec[] => [
  ...supportPlanManager,
  ...schoolStaff,
  ...safeguardingLead,
  ...everyone,
  ...readRecord(school),
  ...writeRecord(school),
  ...accessLogReader(who),
  ...reporter,
  ...inboxLead,
];

/**
 * The policy as data: role -> rules. A role missing a rule has no access (default deny).
 * A change here changes who can do what: review it as a permission change (docs/policy.md).
 */
export const POLICY: Record<Role, RuleSpec[]> = {
  police_officer: [
    ...everyone,
    ...readRecord(police),
    ...writeRecord(police, ['pncId']),
    ...reporter,
    ...referrer(),
    {
      action: 'read',
      subject: 'MissingEpisode',
      conditions: { organisationId: ORG },
      reason: "the force's missing episodes",
    },
    ...missingEpisodeWriter,
  ],
  cse_officer: [
    ...supportPlanWorker,
    ...everyone,
    ...readRecord(police),
    ...writeRecord(police, ['pncId']),
    ...reporter,
    ...inboxLead,
    ...policeReader,
    ...policeWriter,
  ],
  cse_supervisor: [
    ...supportPlanManager,
    ...everyone,
    ...readRecord(police),
    ...writeRecord(police, ['pncId']),
    ...lead,
    ...reporter,
    ...inboxLead,
    ...policeReader,
    ...policeWriter,
    ...policeReviewer,
  ],
  intelligence_analyst: [...everyone, ...readRecord(police), ...reporter, ...policeReader],
  social_worker: [
    ...supportPlanWorker,
    ...protectionLookups,
    ...everyone,
    ...readRecord(council),
    ...writeRecord(council),
    ...reporter,
    ...referrer(),
    ...requester,
    ...councilCasework,
  ],
  mash_officer: [
    ...protectionLookups,
    ...everyone,
    ...readRecord(council),
    ...writeRecord(council),
    { action: 'create', subject: 'BreakGlass', reason: 'MASH checks may need a record outside need-to-know' },
    ...reporter,
    ...inboxLead,
    ...councilTriage,
    ...councilCasework,
  ],
  team_manager: [
    ...supportPlanManager,
    ...protectionLookups,
    ...everyone,
    ...readRecord(council),
    ...writeRecord(council),
    ...lead,
    ...reporter,
    ...inboxLead,
    ...councilTriage,
    ...councilCasework,
    ...councilAuthoriser,
  ],
  conference_chair: [...everyone, ...readRecord(council), ...reporter, ...conferenceChair],
  performance_officer: [
    ...everyone,
    {
      action: 'read',
      subject: 'StatutoryReturn',
      conditions: { organisationId: ORG },
      reason:
        "the council's performance officer produces its statutory returns (CIN census, Ofsted Annex A): child-level " +
        'data of its own cases only, no access to the record itself',
    },
  ],
  school_staff: [...everyone, ...reporter, ...schoolStaff],
  dsl: [...safeguardingLeadWork('the designated safeguarding lead'), ...schoolCalendar, ...agreementManager],
  deputy_dsl: safeguardingLeadWork('a deputy designated safeguarding lead'),
  health_practitioner: [
    ...supportPlanWorker,
    ...everyone,
    ...readRecord(HEALTH_PRACTITIONER_CLASSES, NAMED_ONLY_CLASSES),
    ...writeRecord(health),
    ...reporter,
    ...protectionStatusLookUp,
  ],
  named_safeguarding_professional: [
    ...supportPlanManager,
    ...protectionStatusLookUp,
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
    {
      action: 'read',
      subject: 'ChildAddress',
      conditions: { confidential: false },
      reason: 'inspection: addresses not marked confidential',
    },
    {
      action: 'read',
      subject: 'ChildSection',
      fields: fieldsOf('ChildSection', INSPECTION_CLASSES),
      reason: 'inspection: the agency sections, without police intelligence or sexual health',
    },
    {
      action: 'read',
      subject: 'ChronologyEntry',
      conditions: { sensitivity: { $in: INSPECTION_CLASSES } },
      reason: 'inspection: the chronology, without police intelligence or sexual health',
    },
    {
      action: 'read',
      subject: 'ChronologyEntry',
      fields: CHRONOLOGY_SUMMARY_FIELDS,
      conditions: { multiAgency: true },
      reason: 'inspection: the multi-agency chronology, as summaries',
    },
    {
      action: 'read',
      subject: ['AccessLog', 'AccessLogDetail'],
      reason: 'inspection: who knew what and when, in full',
    },
    { action: 'read', subject: ['Concern', 'Referral'], reason: 'oversight of overdue and ignored work' },
    {
      action: 'read',
      subject: ['SharingAgreement', 'InformationRequest', 'SharingGrant'],
      reason: 'decisions to share or not',
    },
  ],
  whistleblowing_officer: [
    ...everyone,
    {
      action: ['read', 'update'],
      subject: 'WhistleblowingReport',
      conditions: { organisationId: ORG },
      reason:
        'the independent inspectorate triages, assigns, answers and closes the whistleblowing reports made to it; ' +
        'never the organisation concerned',
    },
  ],
  review_lead: [
    ...everyone,
    {
      action: 'read',
      subject: 'Child',
      fields: fieldsOf('Child', ['identity']),
      conditions: WORKING_WITH,
      reason: "the partnership's review lead identifies the children a practice review is about",
    },
    ...accessLogReader("the partnership's review lead"),
    {
      action: 'read',
      subject: 'AccessLogDetail',
      reason: 'a child safeguarding practice review asks who knew what and when, of every agency',
    },
  ],
  data_protection_officer: [
    ...everyone,
    {
      action: 'read',
      subject: 'Child',
      fields: fieldsOf('Child', ['identity']),
      conditions: WORKING_WITH,
      reason:
        'the data protection officer identifies the children the organisation works with (subject access, review)',
    },
    ...accessLogReader('the data protection officer'),
    {
      action: 'read',
      subject: 'AccessLogDetail',
      reason: 'the data protection officer reviews every access in full, other agencies included',
    },
  ],
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
    {
      action: ['read', 'update'],
      subject: 'Timescales',
      conditions: { organisationId: ORG },
      reason:
        "administrators set their organisation's local timescales (DOMAIN.md marks them local), within the bounds " +
        'each timescale declares; no child data',
    },
    ...agreementManager,
    ...schoolCalendar,
  ],
  cme_officer: [
    ...everyone,
    {
      action: ['read', 'receive'],
      subject: 'FileTransfer',
      conditions: { councilOrganisationId: ORG },
      reason:
        "the council's children missing education officer takes (and confirms receipt of) the files of pupils who " +
        'moved to no known school or out of the area',
    },
  ],
};

/**
 * Oversight and accountability (libs/oversight), appended to the roles above: who knew what and
 * when about one child, and the overdue work of a partnership, for reviews and supervision.
 */
const OVERSIGHT_RULES: Partial<Record<Role, RuleSpec[]>> = {
  inspector: [
    {
      action: 'read',
      subject: 'OversightTimeline',
      reason: 'inspection: who knew what and when, for any unrestricted child',
    },
    {
      action: 'read',
      subject: 'OversightDashboard',
      reason: "inspection: every organisation's overdue and due-soon work",
    },
    {
      action: 'read',
      subject: 'InspectionList',
      reason:
        "inspection reads every organisation's lists (inboxes, sent, concerns, requests, decisions), read-only, " +
        "with the purpose declared; the items themselves by the inspector's Concern, Referral and request rules",
    },
    {
      action: 'read',
      subject: 'ResponsibilityHistory',
      reason: 'inspection: whose each piece of work was, at any date, in every organisation',
    },
  ],
  data_protection_officer: [
    {
      action: 'read',
      subject: 'OversightTimeline',
      reason: 'the data protection officer answers reviews of the children the organisation works with',
    },
    {
      action: 'read',
      subject: 'OversightDashboard',
      conditions: { organisationId: ORG },
      reason: "the data protection officer reviews their own organisation's timeliness",
    },
    {
      action: 'read',
      subject: 'ResponsibilityHistory',
      conditions: { organisationId: ORG },
      reason: "the data protection officer answers 'whose was it' for their own organisation's work",
    },
    {
      action: 'read',
      subject: 'WhistleblowingNotice',
      conditions: { organisationId: ORG },
      reason:
        'the organisation concerned reads what the inspectorate chose to tell it about a whistleblowing report ' +
        '(the notice goes to its data protection officer), never the report',
    },
  ],
  review_lead: [
    {
      action: 'read',
      subject: 'OversightTimeline',
      reason: 'child safeguarding practice reviews of the children the partnership works with',
    },
    {
      action: 'read',
      subject: 'OversightDashboard',
      reason: "the partnership's overdue work across its agencies (one partnership per deployment)",
    },
    {
      action: 'read',
      subject: 'ResponsibilityHistory',
      reason: "a practice review asks whose each piece of work was, and when, across the partnership's agencies",
    },
  ],
  ...Object.fromEntries(
    (['team_manager', 'cse_supervisor', 'dsl', 'deputy_dsl', 'named_safeguarding_professional'] as const).map(
      (role) => [
        role,
        [
          {
            action: 'read',
            subject: 'OversightDashboard',
            conditions: { organisationId: ORG },
            reason:
              "managers supervise their own organisation's overdue and due-soon work (for supervision, not blame)",
          },
          {
            action: 'read',
            subject: 'ResponsibilityHistory',
            conditions: { organisationId: ORG },
            reason:
              "managers see whose their own organisation's work was, and what became of it, for supervision (not blame)",
          },
        ],
      ],
    ),
  ),
};
for (const [role, rules] of Object.entries(OVERSIGHT_RULES) as [Role, RuleSpec[]][]) POLICY[role].push(...rules);

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
  'CsCase',
  'CsConference',
  'StatutoryReturn',
  'Pupil',
  'SchoolFile',
  'FileTransfer',
  'ProtectionStatus',
  'ProtectionLookup',
  'SupportPlan',
  'CseScreening',
  'MissingEpisode',
  'PoliceIntelligence',
  'Cawn',
  'PoliceNode',
  'OversightTimeline',
  'InspectionList',
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
    // A partner system of a trust is not a named nurse: sexual health stays with the named nurses.
    health: readRecord(HEALTH_PRACTITIONER_CLASSES, NAMED_ONLY_CLASSES),
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
  {
    action: ['create', 'read', 'update'],
    subject: 'Webhook',
    conditions: { clientId: ME },
    reason: 'a partner system manages its own webhook subscriptions',
  },
];
