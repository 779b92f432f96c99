import { createMongoAbility } from '@casl/ability';
import { AbilityFactory, type AppAbility } from '@app/access';
import type { Actor } from '@app/platform';
import { searchPaths } from './child-scope';

const ORG = '11111111-1111-4111-8111-111111111111';
const ME = '33333333-3333-4333-8333-333333333333';
const actor = (roles: string[]): Actor => ({
  kind: 'user',
  id: ME,
  organisationId: ORG,
  organisationType: 'police_force',
  teamId: null,
  roles,
  scopes: [],
});

describe('the need-to-know paths a name search may use', () => {
  it('are the organisation, the case team, break-glass, a disclosure of identity and triage for a police CSE officer', () => {
    expect(searchPaths(new AbilityFactory().for(actor(['cse_officer'])), 'read')).toEqual({
      organisations: [{ id: ORG, unrestrictedOnly: true }],
      caseTeamUsers: [ME],
      breakGlassUsers: [{ id: ME, unrestrictedOnly: true }],
      identityGrants: [{ unrestrictedOnly: true }],
      triageTeams: [{ id: '00000000-0000-0000-0000-000000000000', unrestrictedOnly: true }],
    });
  });

  it('never include a disclosure of a class that does not show the name', () => {
    const ability = createMongoAbility([
      {
        action: 'read',
        subject: 'Child',
        fields: ['id', 'pncId'],
        conditions: { grantedClasses: 'police-intelligence' },
      },
    ]) as unknown as AppAbility;
    expect(searchPaths(ability, 'read')).toEqual({
      organisations: [],
      caseTeamUsers: [],
      breakGlassUsers: [],
      identityGrants: [],
      triageTeams: [],
    });
  });

  it('are none at all for a role that sees no child', () => {
    expect(searchPaths(new AbilityFactory().for(actor(['org_admin'])), 'read')).toEqual({
      organisations: [],
      caseTeamUsers: [],
      breakGlassUsers: [],
      identityGrants: [],
      triageTeams: [],
    });
  });

  it('refuse (null: search the child table) when a rule is of a shape the index cannot serve', () => {
    const unconditional = createMongoAbility([{ action: 'read', subject: 'Child' }]) as unknown as AppAbility;
    expect(searchPaths(unconditional, 'read')).toBeNull();
    const other = createMongoAbility([
      { action: 'read', subject: 'Child', conditions: { involvedOrganisationIds: ORG } },
      { action: 'read', subject: 'Child', conditions: { createdByOrganisationId: ORG } },
    ]) as unknown as AppAbility;
    expect(searchPaths(other, 'read')).toBeNull();
    const operator = createMongoAbility([
      { action: 'read', subject: 'Child', conditions: { involvedOrganisationIds: { $in: [ORG] } } },
    ]) as unknown as AppAbility;
    expect(searchPaths(operator, 'read')).toBeNull();
  });

  it('ignore inverted rules, which only take children away (the scope still applies them)', () => {
    const ability = createMongoAbility([
      { action: 'read', subject: 'Child', conditions: { involvedOrganisationIds: ORG } },
      { action: 'read', subject: 'Child', conditions: { restricted: true }, inverted: true },
    ]) as unknown as AppAbility;
    expect(searchPaths(ability, 'read')).toEqual({
      organisations: [{ id: ORG, unrestrictedOnly: false }],
      caseTeamUsers: [],
      breakGlassUsers: [],
      identityGrants: [],
      triageTeams: [],
    });
  });
});
