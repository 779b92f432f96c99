import type { OrganisationType } from '@app/platform';

/** Roles from DOMAIN.md, each valid in certain kinds of organisation. */
export const ROLES = {
  police_officer: ['police_force'],
  cse_officer: ['police_force'],
  cse_supervisor: ['police_force'],
  intelligence_analyst: ['police_force'],
  social_worker: ['local_authority'],
  mash_officer: ['local_authority'],
  team_manager: ['local_authority'],
  conference_chair: ['local_authority'],
  performance_officer: ['local_authority'],
  school_staff: ['school'],
  dsl: ['school'],
  /** A deputy designated safeguarding lead: trained to the DSL's standard, covers the DSL's work (KCSIE). */
  deputy_dsl: ['school'],
  health_practitioner: ['health'],
  named_safeguarding_professional: ['health'],
  inspector: ['oversight'],
  whistleblowing_officer: ['oversight'],
  data_protection_officer: ['police_force', 'local_authority', 'school', 'health'],
  org_admin: ['police_force', 'local_authority', 'school', 'health', 'oversight'],
  // The council's children missing education officer (issue 15).
  cme_officer: ['local_authority'],
  /** The safeguarding partnership's lead for child safeguarding practice reviews (hosted by a council). */
  review_lead: ['local_authority'],
} as const satisfies Record<string, readonly OrganisationType[]>;

export type Role = keyof typeof ROLES;
export const ALL_ROLES = Object.keys(ROLES) as Role[];

export function isRole(value: string): value is Role {
  return Object.prototype.hasOwnProperty.call(ROLES, value);
}

export function roleAllowedIn(role: Role, organisationType: OrganisationType): boolean {
  return (ROLES[role] as readonly OrganisationType[]).includes(organisationType);
}

/** Scopes an API client of a partner organisation may hold. */
export const SCOPES = ['organisations:read', 'children:read', 'referrals:write', 'requests:write'] as const;
export type Scope = (typeof SCOPES)[number];
