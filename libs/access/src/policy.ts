import type { Role, Scope } from './roles';

export type Action = 'manage' | 'read' | 'create' | 'update' | 'delete';
export type Subject = 'all' | 'Organisation' | 'Team' | 'User' | 'ApiClient';

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

const everyone: RuleSpec[] = [
  {
    action: 'read',
    subject: ['Organisation', 'Team'],
    reason: 'the directory of partner agencies is open to all of them',
  },
];

const orgAdmin: RuleSpec[] = [
  {
    action: ['read', 'create', 'update'],
    subject: 'User',
    conditions: { organisationId: '${actor.organisationId}' },
    reason: "organisation administrators manage their own organisation's people",
  },
];

/**
 * The policy as data: role -> rules. A role missing a rule has no access (default deny).
 * A change here changes who can do what: review it as a permission change.
 */
export const POLICY: Record<Role, RuleSpec[]> = {
  police_officer: everyone,
  cse_officer: everyone,
  cse_supervisor: everyone,
  intelligence_analyst: everyone,
  social_worker: everyone,
  mash_officer: everyone,
  team_manager: everyone,
  conference_chair: everyone,
  school_staff: everyone,
  dsl: everyone,
  health_practitioner: everyone,
  named_safeguarding_professional: everyone,
  inspector: everyone,
  whistleblowing_officer: everyone,
  org_admin: [...everyone, ...orgAdmin],
};

/** What an API client may do, by scope. Clients hold no roles. */
export const SCOPE_POLICY: Record<Scope, RuleSpec[]> = {
  'organisations:read': [{ action: 'read', subject: ['Organisation', 'Team'] }],
  'children:read': [],
  'referrals:write': [],
  'requests:write': [],
};
