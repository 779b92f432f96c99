import type { DataSource, EntityManager } from 'typeorm';
import { ApiClient, hashSecret, Organisation, Team, User } from '@app/identity';
import type { OrganisationType } from '@app/platform';

/** The fictional demo world of DOMAIN.md: two forces, two councils, a school, a trust, an inspectorate. */
export const DEMO_ORGANISATIONS: { code: string; name: string; type: OrganisationType; teams: [string, string][] }[] = [
  {
    code: 'NSP',
    name: 'Northshire Police',
    type: 'police_force',
    teams: [
      ['CSE Unit', 'cse_unit'],
      ['Response', 'response'],
    ],
  },
  {
    code: 'SSP',
    name: 'Southshire Police',
    type: 'police_force',
    teams: [
      ['CSE Unit', 'cse_unit'],
      ['Response', 'response'],
    ],
  },
  {
    code: 'NSC',
    name: "Northshire Council Children's Services",
    type: 'local_authority',
    teams: [
      ['MASH', 'mash'],
      ['Assessment Team', 'social_care'],
      ['Business Support', 'admin'],
    ],
  },
  {
    code: 'SSC',
    name: "Southshire Council Children's Services",
    type: 'local_authority',
    teams: [
      ['MASH', 'mash'],
      ['Assessment Team', 'social_care'],
      ['Business Support', 'admin'],
    ],
  },
  {
    code: 'RVA',
    name: 'Riverside Academy',
    type: 'school',
    teams: [
      ['Safeguarding', 'safeguarding'],
      ['Staff', 'staff'],
    ],
  },
  {
    code: 'NNHS',
    name: 'Northshire NHS Trust',
    type: 'health',
    teams: [
      ['Safeguarding Team', 'safeguarding'],
      ['Community Health', 'community_health'],
    ],
  },
  {
    code: 'INSP',
    name: "Children's Safeguarding Inspectorate",
    type: 'oversight',
    teams: [['Inspection', 'inspection']],
  },
];

/** [email, name, organisation code, team name, roles]. Listed in the README; local use only. */
export const DEMO_USERS: [string, string, string, string | null, string[]][] = [
  ['social.worker@northshire-council.example', 'Sam Walker', 'NSC', 'Assessment Team', ['social_worker']],
  ['team.manager@northshire-council.example', 'Tariq Manning', 'NSC', 'MASH', ['team_manager']],
  ['mash.officer@northshire-council.example', 'Maya Ashford', 'NSC', 'MASH', ['mash_officer']],
  ['conference.chair@northshire-council.example', 'Clare Chambers', 'NSC', 'Assessment Team', ['conference_chair']],
  ['admin@northshire-council.example', 'Adi Minter', 'NSC', 'Business Support', ['org_admin']],
  ['dpo@northshire-council.example', 'Dara Protect', 'NSC', 'Business Support', ['data_protection_officer']],
  // The safeguarding partnership's review lead (hosted by the council): practice reviews, issue 16.
  ['review.lead@northshire-council.example', 'Rowan Reviewer', 'NSC', 'Business Support', ['review_lead']],
  // A second administrator: granting a role that reads child data takes two.
  ['second.admin@northshire-council.example', 'Sade Condon', 'NSC', 'Business Support', ['org_admin']],
  ['social.worker@southshire-council.example', 'Sol Worth', 'SSC', 'Assessment Team', ['social_worker']],
  ['mash.officer@southshire-council.example', 'Mina Ash', 'SSC', 'MASH', ['mash_officer']],
  ['team.manager@southshire-council.example', 'Toby Mann', 'SSC', 'MASH', ['team_manager']],
  ['admin@southshire-council.example', 'Ada Mins', 'SSC', 'Business Support', ['org_admin']],
  ['cse.officer@northshire-police.example', 'DC Casey Officer', 'NSP', 'CSE Unit', ['cse_officer']],
  ['cse.supervisor@northshire-police.example', 'DS Sue Pervis', 'NSP', 'CSE Unit', ['cse_supervisor']],
  ['analyst@northshire-police.example', 'Ana Lyst', 'NSP', 'CSE Unit', ['intelligence_analyst']],
  ['officer@southshire-police.example', 'PC Owen Ficer', 'SSP', 'Response', ['police_officer']],
  ['cse.officer@southshire-police.example', 'DC Sam Southern', 'SSP', 'CSE Unit', ['cse_officer']],
  ['dsl@riverside-academy.example', 'Dee Lead', 'RVA', 'Safeguarding', ['dsl']],
  ['teacher@riverside-academy.example', 'Terry Teach', 'RVA', 'Staff', ['school_staff']],
  ['nurse@northshire-nhs.example', 'Nia Nurse', 'NNHS', 'Community Health', ['health_practitioner']],
  [
    'safeguarding.nurse@northshire-nhs.example',
    'Nadia Named',
    'NNHS',
    'Safeguarding Team',
    ['named_safeguarding_professional'],
  ],
  ['inspector@inspectorate.example', 'Ines Spector', 'INSP', 'Inspection', ['inspector']],
  // Children's services' statutory returns (CIN census, Annex A).
  ['performance@northshire-council.example', 'Pat Formance', 'NSC', 'Business Support', ['performance_officer']],
  // Oversight (libs/oversight): the inspectorate's whistleblowing line.
  ['whistleblowing@inspectorate.example', 'Wyn Blower', 'INSP', 'Inspection', ['whistleblowing_officer']],
];

/** [client id, name, organisation code, scopes]; every demo client's secret is DEMO_CLIENT_SECRET. */
export const DEMO_CLIENTS: [string, string, string, string[]][] = [
  [
    'southshire-police-case-system',
    'Southshire Police case system',
    'SSP',
    ['organisations:read', 'children:read', 'referrals:write', 'requests:write'],
  ],
  ['northshire-council-case-system', 'Northshire Council case system', 'NSC', ['organisations:read', 'children:read']],
];

/**
 * Schools and health (issue 15): a second demo school a pupil moves to, its DSL, and Northshire
 * Council's children missing education officer. Kept apart from the lists above, which other
 * tests walk, so adding them changes no existing demo row.
 */
export const EDUCATION_DEMO_ORGANISATIONS: typeof DEMO_ORGANISATIONS = [
  {
    code: 'HHS',
    name: 'Hillside High School',
    type: 'school',
    teams: [
      ['Safeguarding', 'safeguarding'],
      ['Staff', 'staff'],
    ],
  },
];
export const EDUCATION_DEMO_USERS: typeof DEMO_USERS = [
  ['dsl@hillside-high.example', 'Hana Lead', 'HHS', 'Safeguarding', ['dsl']],
  ['teacher@hillside-high.example', 'Hal Teach', 'HHS', 'Staff', ['school_staff']],
  ['cme.officer@northshire-council.example', 'Cam Missing', 'NSC', 'Business Support', ['cme_officer']],
];

/**
 * The demo councils' front doors: how a nurse reaches them from a protection-status look-up.
 * Fictional (Ofcom's drama range, `.example` mailboxes). Apart from the lists above, as the rest.
 */
export const DEMO_TEAM_CONTACTS: Record<string, { contactPhone: string; contactEmail: string }> = {
  'NSC/MASH': { contactPhone: '0117 496 0101', contactEmail: 'mash@northshire-council.example' },
  'SSC/MASH': { contactPhone: '0117 496 0202', contactEmail: 'mash@southshire-council.example' },
};

export interface SeedResult {
  seeded: boolean;
  organisations: number;
  users: number;
}

/**
 * Seeds the demo world idempotently (upsert by organisation code, team name, email, client id).
 * Never called in production: the config refuses SEED_DEMO there.
 */
export async function seedDemoWorld(
  ds: DataSource,
  password: string,
  opts: { onlyIfEmpty?: boolean; clientSecret?: string } = {},
): Promise<SeedResult> {
  if (opts.onlyIfEmpty && (await ds.getRepository(Organisation).count()) > 0) {
    return { seeded: false, organisations: 0, users: 0 };
  }
  // One hash for all demo accounts: they share a password anyway, and seeding stays fast.
  const passwordHash = await hashSecret(password);
  const secretHash = await hashSecret(opts.clientSecret ?? process.env.DEMO_CLIENT_SECRET ?? 'demo-client-secret');
  return ds.transaction(async (tx) => {
    const orgs = new Map<string, Organisation>();
    const teams = new Map<string, Team>();
    for (const spec of [...DEMO_ORGANISATIONS, ...EDUCATION_DEMO_ORGANISATIONS]) {
      const org = await upsert(tx, Organisation, { code: spec.code }, { name: spec.name, type: spec.type });
      orgs.set(spec.code, org);
      for (const [name, fn] of spec.teams) {
        const contact = DEMO_TEAM_CONTACTS[`${spec.code}/${name}`] ?? {};
        teams.set(
          `${spec.code}/${name}`,
          await upsert(tx, Team, { organisationId: org.id, name }, { function: fn, ...contact }),
        );
      }
    }
    for (const [email, name, code, teamName, roles] of [...DEMO_USERS, ...EDUCATION_DEMO_USERS]) {
      const org = orgs.get(code)!;
      const team = teamName ? teams.get(`${code}/${teamName}`)! : null;
      const existing = await tx.getRepository(User).findOneBy({ email });
      if (!existing) {
        await tx
          .getRepository(User)
          .insert({ email, name, organisationId: org.id, teamId: team?.id ?? null, roles, passwordHash });
      }
    }
    for (const [clientId, name, code, scopes] of DEMO_CLIENTS) {
      const existing = await tx.getRepository(ApiClient).findOneBy({ clientId });
      if (!existing) {
        await tx
          .getRepository(ApiClient)
          .insert({ clientId, name, organisationId: orgs.get(code)!.id, scopes, secretHash });
      }
    }
    return { seeded: true, organisations: orgs.size, users: DEMO_USERS.length + EDUCATION_DEMO_USERS.length };
  });
}

async function upsert<T extends object>(
  tx: EntityManager,
  entity: new () => T,
  key: Partial<T>,
  values: Partial<T>,
): Promise<T> {
  const repo = tx.getRepository(entity);
  const found = await repo.findOneBy(key as never);
  if (found) {
    await repo.update(key as never, values as never);
    return repo.findOneByOrFail(key as never);
  }
  return repo.save(repo.create({ ...key, ...values } as T));
}
