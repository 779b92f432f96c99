import type { EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import type { OrganisationType } from '@app/platform';

/** A child as loaded for a workflow: the fields the caller may read, and whether it is restricted. */
export type ChildOnRecord = Readonly<Record<string, unknown>> & { id: string; restricted: boolean };

/**
 * What is known of a child, to find its record (NHS number, or names and date of birth) or to
 * register it (any field of a registration may come along; the record judges which the actor may write).
 */
export interface ChildDetails {
  givenName?: string | null;
  familyName?: string | null;
  dateOfBirth?: string | null;
  nhsNumber?: string | null;
}

export interface ChildMatch {
  id: string;
  on: 'nhs_number' | 'name_and_dob';
  restricted: boolean;
}

/** A chronology entry a workflow step writes on the child's record. */
export interface ChronologyEntryInput {
  /** e.g. `concern`, `referral`, `decision`. */
  category: string;
  /** What happened, as every reader of the entry may read it. */
  summary: string;
  detail?: string | null;
  /** The sensitivity class; by default the class of the actor's kind of agency. */
  sensitivity?: string;
  /** May be disclosed to another organisation under a grant. */
  shareable: boolean;
  /** On the multi-agency chronology (every organisation working with the child reads the summary). */
  multiAgency?: boolean;
  occurredAt?: Date;
}

/** Why an organisation works with a child (beyond having registered it). */
export type InvolvementReason =
  'referral_accepted' | 'mash_enquiry' | 'strategy_discussion' | 'conference' | 'core_group' | 'statutory';

/** What brings another organisation to a child others hold: a registration that matched, or a referral it received. */
export type CollaborationNotice =
  | { matchReference: string }
  | { referral: { id: string; organisationId: string; organisationType: OrganisationType; teamId: string } };

/** An organisation working with a child. */
export interface Holder {
  organisationId: string;
  name: string;
  type: OrganisationType;
}

/** A child's identifiers in a statutory return (DfE CIN census, Ofsted Annex A). Dates YYYY-MM-DD. */
export interface ReturnIdentifiers {
  laChildId: string | null;
  upn: string | null;
  dateOfBirth: string | null;
  expectedDateOfBirth: string | null;
  sex: string | null;
  ethnicity: string | null;
  disabilities: string[];
}

/**
 * The shared child record, as workflows use it (referrals, sharing, and the agency modules): a
 * narrow interface in the kernel, implemented and provided by the children module. Inject
 * `SharedRecord`, never ChildrenService. Every method runs in the caller's transaction (`tx`), so
 * what it writes commits with the workflow's own change.
 */
export abstract class SharedRecord {
  /**
   * The child if the actor may see it (or act on it: `action: 'update'`), else a 404 exactly as for
   * a child that does not exist. Every use case on a child starts here.
   */
  abstract requireChild(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    options?: {
      action?: 'read' | 'update';
      /**
       * Only if the actor's organisation works with the child (or the actor is on its case team):
       * naming a child in a workflow step writes onto its record, which a disclosure, triage or
       * break-glass never allows.
       */
      working?: boolean;
    },
  ): Promise<ChildOnRecord>;

  /** Who the child is, as far as the actor may read it (for a step that repeats it, e.g. a referral). */
  abstract identityOf(
    ctx: AccessContext,
    child: ChildOnRecord,
  ): { givenName?: string; familyName?: string; dateOfBirth?: string | null };

  /** The child behind a match reference the actor's organisation was given; else 400 naming `matchReference`. */
  abstract childOfMatchReference(tx: EntityManager, ctx: AccessContext, reference: string): Promise<string>;

  /** The child already on the system these details describe (same NHS number, or same name and date of birth). */
  abstract findMatch(tx: EntityManager, who: ChildDetails): Promise<ChildMatch | null>;

  /**
   * What a step that may register a child (a referral's decision) is told about the record these
   * details describe, before it acts (its own transaction, so what it writes is kept): `none`;
   * `working` (the actor's organisation works with it: use it); `restricted` (never linked: go ahead
   * and register, its case team is told then); or `held` by other agencies (a match reference, the
   * holders told, the step refused with it). Checks the details first (400 under `fieldPrefix`).
   */
  abstract judgeMatch(
    tx: EntityManager,
    ctx: AccessContext,
    who: ChildDetails,
    fieldPrefix: string,
  ): Promise<
    | { kind: 'none' | 'working' | 'restricted'; childId?: string }
    | { kind: 'held'; childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }
  >;

  /**
   * The child these details describe: the record the actor's organisation already works with, or a
   * new registration by it (a 400 names what is missing, each field under `fieldPrefix`). Another
   * agency's record is never taken over by details alone (409: judge the match first), and a
   * restricted record is never linked (a new one is registered, and its case team told). Two steps
   * describing the same child at once register it once.
   */
  abstract findOrRegister(
    tx: EntityManager,
    ctx: AccessContext,
    who: ChildDetails,
    fieldPrefix: string,
  ): Promise<string>;

  /** Whether the organisation works with the child now (an active involvement). */
  abstract worksWith(tx: EntityManager, childId: string, organisationId: string): Promise<boolean>;

  /** Whether someone of the restricted child's case team works in this organisation. */
  abstract caseTeamWorksIn(tx: EntityManager, childId: string, organisationId: string): Promise<boolean>;

  /** The case team of a restricted child (empty for any other child). */
  abstract caseTeamOf(tx: EntityManager, childId: string): Promise<string[]>;

  abstract isRestricted(tx: EntityManager, childId: string): Promise<boolean>;

  /**
   * The plan statuses children's services record on the child's record (their sections'
   * `planStatus`, e.g. child_protection_plan, looked_after): flags for a school's file, never the plan.
   */
  abstract planStatusesOf(tx: EntityManager, childId: string): Promise<string[]>;

  /**
   * The council's statutory status of the child, kept in its section as its children's services
   * module starts and ends plans and periods (null: none): what the protection-status look-up and
   * schools' files read. A child protection plan for a child not yet born is recorded as
   * `unborn_child_protection_plan`. `since`: the day that plan or period started (YYYY-MM-DD),
   * which the look-up answers as the plan's start date; none without a status.
   */
  abstract setCouncilStatus(
    tx: EntityManager,
    childId: string,
    councilId: string,
    status: 'child_protection_plan' | 'looked_after' | 'child_in_need_plan' | null,
    since?: string | null,
  ): Promise<void>;

  /**
   * The protection-status look-up (CP-IS pattern): the children with this NHS number on one of
   * these plans, each with the council whose section records it; restricted ones flagged (the
   * caller answers for them as for an unknown child). Only the plan, its start date (YYYY-MM-DD, if
   * recorded) and the council: nothing else.
   */
  abstract plansByNhsNumber(
    tx: EntityManager,
    nhsNumber: string,
    plans: readonly string[],
  ): Promise<{ childId: string; restricted: boolean; plan: string; councilId: string; planStartDate: string | null }[]>;

  /** Tells a restricted child's case team, by name (never a role): the only way anyone hears of it. */
  abstract tellCaseTeam(tx: EntityManager, childId: string, notice: { kind: string; message: string }): Promise<void>;

  /** A chronology entry written by a workflow step, in the actor's organisation's name. */
  abstract addEntry(tx: EntityManager, ctx: AccessContext, childId: string, entry: ChronologyEntryInput): Promise<void>;

  /**
   * Opens (or keeps) an organisation's working with a child. `lead`: it becomes the child's lead
   * agency; the previous lead keeps working with the child as a contributor.
   */
  abstract involve(
    tx: EntityManager,
    childId: string,
    organisationId: string,
    basis: InvolvementReason,
    reason: string,
    createdBy: string | null,
    options?: { lead?: boolean },
  ): Promise<void>;

  /** The receiving team of an open referral reads the child's identity until it decides. */
  abstract openTriage(
    tx: EntityManager,
    childId: string,
    referral: { id: string; organisationId: string; teamId: string },
  ): Promise<void>;

  /** Ends the triage a referral opened. */
  abstract closeTriage(tx: EntityManager, referralId: string): Promise<void>;

  /**
   * The duty to collaborate: the organisations working with the child learn that another one now
   * works with it, or has received a referral about it (who, and how to ask), never what it holds;
   * a referral's receiving team learns in turn who they are (those the tipping-off rules let it
   * learn of). Returns every holder told: the caller decides what else it may repeat to whom.
   */
  abstract tellHolders(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    about: CollaborationNotice,
  ): Promise<Holder[]>;

  /**
   * The return identifiers of many children at once, for a council's statutory returns (the census
   * of 20,000 children reads them in one statement). The caller names children of its own records
   * (its cases) and puts every child it reports on their access log; the record checks nothing else.
   * Children not on the record are missing from the map.
   */
  abstract returnIdentifiers(tx: EntityManager, childIds: string[]): Promise<Map<string, ReturnIdentifiers>>;

  /** The audit event of one workflow step about (at most) one child. */
  abstract recordStep(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    subjectIds: string[],
    childId: string | null,
    details?: Record<string, unknown>,
  ): Promise<void>;

  /** The audit event of a list: every item shown, and every child they name, on the record. */
  abstract recordList(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    items: { id: string; childId: string | null }[],
    details?: Record<string, unknown>,
  ): Promise<void>;
}
