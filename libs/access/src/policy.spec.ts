import { subject } from '@casl/ability';
import type { Actor, OrganisationType } from '@app/platform';
import { AbilityFactory } from './ability.factory';
import { allFieldsOf, fieldsOf } from './classification';
import { permittedFields } from './field-filter';
import { CHILD_DATA_SUBJECTS, readsChildData, ROLES_NEEDING_APPROVAL } from './policy';
import { ALL_ROLES, ROLES, type Role } from './roles';

const factory = new AbilityFactory();
const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const ME = '33333333-3333-4333-8333-333333333333';

const actor = (role: Role, type: OrganisationType = ROLES[role][0]!): Actor => ({
  kind: 'user',
  id: ME,
  organisationId: ORG,
  organisationType: type,
  teamId: null,
  roles: [role],
  scopes: [],
});

const child = (over: Record<string, unknown> = {}) =>
  subject('Child', {
    id: 'c1',
    restricted: false,
    involvedOrganisationIds: [ORG],
    caseTeamUserIds: [],
    breakGlassUserIds: [],
    ...over,
  });

/** The relations of the child a part of the record (entry, address, section) belongs to: working with it. */
const WORKING = {
  childRestricted: false,
  childInvolvedOrganisationIds: [ORG],
  childCaseTeamUserIds: [],
  childBreakGlassUserIds: [],
};

describe('the policy', () => {
  it('gives organisation administrators user administration and no child data at all', () => {
    const a = factory.for(actor('org_admin'));
    expect(a.can('create', subject('User', { organisationId: ORG }))).toBe(true);
    expect(a.can('update', subject('User', { organisationId: OTHER }))).toBe(false);
    for (const s of ['Child', 'ChildSection', 'ChronologyEntry', 'AccessLog', 'BreakGlass'] as const) {
      expect(a.can('read', s)).toBe(false);
      expect(a.can('create', s)).toBe(false);
    }
    expect(a.can('update', subject('ApiClient', { organisationId: ORG }))).toBe(true);
    expect(a.can('read', subject('ApiClient', { organisationId: OTHER }))).toBe(false);
  });

  it('sees a child only through an active involvement, the case team, or break-glass', () => {
    const a = factory.for(actor('social_worker'));
    expect(a.can('read', child())).toBe(true);
    expect(a.can('read', child({ involvedOrganisationIds: [OTHER] }))).toBe(false);
    expect(a.can('read', child({ involvedOrganisationIds: [OTHER], breakGlassUserIds: [ME] }))).toBe(true);
    expect(a.can('read', child({ restricted: true }))).toBe(false);
    expect(a.can('read', child({ restricted: true, caseTeamUserIds: [ME] }))).toBe(true);
    expect(a.can('read', child({ restricted: true, breakGlassUserIds: [ME] }))).toBe(false);
  });

  it('never lets a school read police intelligence, and keeps the PNC ID to police', () => {
    const dsl = factory.for(actor('dsl'));
    expect(permittedFields(dsl, 'read', 'Child', child())).not.toContain('pncId');
    expect(
      dsl.can(
        'read',
        subject('ChronologyEntry', {
          organisationId: OTHER,
          shareable: true,
          sensitivity: 'police-intelligence',
          ...WORKING,
        }),
      ),
    ).toBe(false);
    expect(
      dsl.can(
        'read',
        subject('ChronologyEntry', { organisationId: OTHER, shareable: true, sensitivity: 'education', ...WORKING }),
      ),
    ).toBe(true);
    const cse = factory.for(actor('cse_officer'));
    expect(permittedFields(cse, 'read', 'Child', child())).toContain('pncId');
    expect(permittedFields(cse, 'update', 'Child', child())).toContain('pncId');
    expect(permittedFields(factory.for(actor('social_worker')), 'update', 'Child', child())).not.toContain('pncId');
  });

  it("keeps police away from the council's social-care entries and sections", () => {
    const cse = factory.for(actor('cse_officer'));
    expect(
      cse.can(
        'read',
        subject('ChronologyEntry', { organisationId: OTHER, shareable: true, sensitivity: 'social-care' }),
      ),
    ).toBe(false);
    expect(cse.can('read', subject('ChildSection', { organisationId: OTHER }))).toBe(false);
    expect(cse.can('read', subject('ChildSection', { organisationId: ORG }))).toBe(true);
  });

  it('lets inspectors read unrestricted records of every agency (without sexual health or police intelligence) and write nothing', () => {
    const a = factory.for(actor('inspector'));
    expect(a.can('read', child({ involvedOrganisationIds: [OTHER] }))).toBe(true);
    expect(a.can('read', child({ restricted: true }))).toBe(false);
    const section = permittedFields(a, 'read', 'ChildSection', { organisationId: OTHER });
    expect(section).toContain('healthNotes');
    expect(section).not.toContain('sexualHealthNotes');
    expect(section).not.toContain('intelligenceNotes');
    for (const s of ['Child', 'ChildSection', 'ChronologyEntry', 'ChildAddress', 'BreakGlass'] as const) {
      expect(a.can('create', s)).toBe(false);
      expect(a.can('update', s)).toBe(false);
    }
  });

  it('restricts records and opens them by break-glass only for leads', () => {
    const restrictors = ALL_ROLES.filter((r) =>
      permittedFields(factory.for(actor(r)), 'update', 'Child', child()).includes('restricted'),
    );
    expect(restrictors.sort()).toEqual(['cse_supervisor', 'named_safeguarding_professional', 'team_manager']);
    const breakGlass = ALL_ROLES.filter((r) => factory.for(actor(r)).can('create', 'BreakGlass'));
    expect(breakGlass.sort()).toEqual([
      'cse_supervisor',
      'mash_officer',
      'named_safeguarding_professional',
      'team_manager',
    ]);
  });

  it('records chronology only in the classes the agency holds', () => {
    const nurse = factory.for(actor('health_practitioner'));
    const entry = (sensitivity: string) => subject('ChronologyEntry', { organisationId: ORG, sensitivity, ...WORKING });
    expect(nurse.can('create', entry('sexual-health'))).toBe(true);
    expect(nurse.can('create', entry('police-intelligence'))).toBe(false);
    expect(
      nurse.can('create', subject('ChronologyEntry', { organisationId: OTHER, sensitivity: 'health', ...WORKING })),
    ).toBe(false);
    // A disclosure never lets the grantee write: not working with the child, nothing may be recorded.
    const granted = { ...WORKING, childInvolvedOrganisationIds: [OTHER], grantedClasses: ['health'] };
    expect(
      nurse.can('create', subject('ChronologyEntry', { organisationId: ORG, sensitivity: 'health', ...granted })),
    ).toBe(false);
  });

  it('lets only named safeguarding nurses (and a grant naming it) read sexual health, even of their own trust', () => {
    const own = { organisationId: ORG, ...WORKING };
    // In a trust (another agency's own section has no sexual-health fields: a write of one is refused).
    const readers = ALL_ROLES.filter(
      (r) =>
        (ROLES[r] as readonly string[]).includes('health') &&
        permittedFields(factory.for(actor(r, 'health')), 'read', 'ChildSection', own).includes('sexualHealthNotes'),
    );
    expect(readers).toEqual(['named_safeguarding_professional']);
    const nurse = factory.for(actor('health_practitioner'));
    expect(permittedFields(nurse, 'read', 'ChildSection', own)).toContain('healthNotes');
    const entry = (sensitivity: string) => subject('ChronologyEntry', { ...own, sensitivity, shareable: false });
    expect(nurse.can('read', entry('sexual-health'))).toBe(false);
    expect(nurse.can('read', entry('health'))).toBe(true);
    expect(factory.for(actor('named_safeguarding_professional')).can('read', entry('sexual-health'))).toBe(true);
    const sw = factory.for(actor('social_worker'));
    const theirs = { organisationId: OTHER, childRestricted: false, grantedClasses: ['sexual-health'] };
    expect(permittedFields(sw, 'read', 'ChildSection', theirs)).toEqual(expect.arrayContaining(['sexualHealthNotes']));
    expect(permittedFields(sw, 'read', 'ChildSection', theirs)).not.toContain('healthNotes');
  });

  it('gives API clients only what their scopes and organisation type allow', () => {
    const client = (scopes: string[], type: OrganisationType): Actor => ({
      ...actor('cse_officer'),
      kind: 'client',
      roles: [],
      scopes,
      organisationType: type,
    });
    expect(factory.for(client(['organisations:read'], 'police_force')).can('read', 'Child')).toBe(false);
    const reader = factory.for(client(['children:read'], 'police_force'));
    expect(reader.can('read', child())).toBe(true);
    expect(reader.can('update', child())).toBe(false);
    expect(permittedFields(reader, 'read', 'Child', child())).toContain('pncId');
    expect(factory.for(client(['children:read'], 'oversight')).can('read', 'Child')).toBe(false);
  });

  it('classifies every field, and a class grant yields exactly its fields', () => {
    expect(fieldsOf('Child', ['identity'])).not.toContain('addresses');
    expect(fieldsOf('Child', ['contact'])).toContain('addresses');
    expect(fieldsOf('ChildSection', [])).toEqual([
      'id',
      'childId',
      'organisationId',
      'agencyType',
      'version',
      'updatedAt',
    ]);
    expect(new Set(allFieldsOf('Child')).size).toBe(allFieldsOf('Child').length);
  });
});

describe('roles that read child data', () => {
  it('are every role but org_admin and whistleblowing_officer, and agree with what the abilities allow', () => {
    const readers = ALL_ROLES.filter(readsChildData);
    expect(ALL_ROLES.filter((r) => !readers.includes(r)).sort()).toEqual(['org_admin', 'whistleblowing_officer']);
    for (const role of ALL_ROLES) {
      const a = factory.for(actor(role));
      expect({ role, reads: CHILD_DATA_SUBJECTS.some((s) => a.can('read', s)) }).toEqual({
        role,
        reads: readsChildData(role),
      });
    }
  });

  it('need a second administrator to grant, and so does org_admin; whistleblowing_officer does not', () => {
    expect([...ROLES_NEEDING_APPROVAL].sort()).toEqual(ALL_ROLES.filter((r) => r !== 'whistleblowing_officer').sort());
  });

  it('lets administrators decide grants of their own organisation only', () => {
    const a = factory.for(actor('org_admin'));
    expect(a.can('update', subject('RoleGrant', { organisationId: ORG }))).toBe(true);
    expect(a.can('update', subject('RoleGrant', { organisationId: OTHER }))).toBe(false);
    expect(factory.for(actor('team_manager')).can('read', 'RoleGrant')).toBe(false);
  });
});

describe('abilities kept per actor', () => {
  it('gives the same actor the same ability, and another actor (role, organisation, user) its own', () => {
    const f = new AbilityFactory();
    const dsl = f.for(actor('dsl'));
    expect(f.for(actor('dsl'))).toBe(dsl);
    const sw = f.for(actor('social_worker'));
    expect(sw).not.toBe(dsl);
    const elsewhere = f.for({ ...actor('dsl'), organisationId: OTHER });
    expect(elsewhere).not.toBe(dsl);
    // Each judges with its own actor's values, not the first one cached.
    expect(dsl.can('read', child())).toBe(true);
    expect(elsewhere.can('read', child())).toBe(false);
    expect(f.for({ ...actor('dsl'), id: OTHER })).not.toBe(dsl);
  });
});
