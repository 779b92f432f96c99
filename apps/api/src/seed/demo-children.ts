import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import {
  AgencySection,
  CaseTeamMember,
  Child,
  ChildAddress,
  ChronologyEntry,
  Involvement,
  multiAgencyByDefault,
  nameKeyOf,
  searchNameOf,
} from '@app/children';
import { Organisation, User } from '@app/identity';
import { seedDemoPolice } from './demo-police';

type Org = 'NSP' | 'SSP' | 'NSC' | 'SSC' | 'RVA' | 'NNHS';

interface DemoChild {
  key: string;
  child: Partial<Child> & { givenName: string; familyName: string; dateOfBirth: string };
  lead: Org;
  contributing?: Org[];
  caseTeam?: string[];
  addresses?: (Partial<ChildAddress> & { by: Org })[];
  sections?: (Partial<AgencySection> & { org: Org })[];
  entries: {
    org: Org;
    daysAgo: number;
    category: string;
    summary: string;
    /** Behind the entry's class; a multi-agency summary never shows it. */
    detail?: string;
    sensitivity: string;
    shareable: boolean;
    /** On the multi-agency chronology (default: as a practitioner recording it would get). */
    multiAgency?: boolean;
  }[];
}

/**
 * The demo children (fictional): some known to one organisation only, one shared between
 * Northshire Council and Northshire Police (and the school and the trust), one across both
 * forces, one restricted to a case team.
 */
export const DEMO_CHILDREN: DemoChild[] = [
  {
    key: 'oliver',
    child: {
      givenName: 'Oliver',
      familyName: 'Bennett',
      dateOfBirth: '2013-05-14',
      sex: 'M',
      ethnicity: 'WBRI',
      nhsNumber: '4857773457',
      laChildId: 'NSC-100231',
    },
    lead: 'NSC',
    addresses: [{ by: 'NSC', line1: '4 Canal Street', town: 'Northtown', postcode: 'NT2 3CD' }],
    sections: [{ org: 'NSC', legalStatus: 'CIN', planStatus: 'child_in_need_plan' }],
    entries: [
      {
        org: 'NSC',
        daysAgo: 40,
        category: 'assessment',
        summary: 'Child and family assessment completed; CIN plan agreed.',
        sensitivity: 'social-care',
        shareable: true,
      },
      {
        org: 'NSC',
        daysAgo: 12,
        category: 'contact',
        summary: 'Home visit: parents engaging with the plan.',
        sensitivity: 'social-care',
        shareable: false,
      },
    ],
  },
  {
    key: 'amelia',
    child: {
      givenName: 'Amelia',
      familyName: 'Clarke',
      dateOfBirth: '2012-09-03',
      sex: 'F',
      ethnicity: 'MWBC',
      upn: 'B801200005001',
    },
    lead: 'RVA',
    sections: [
      { org: 'RVA', schoolName: 'Riverside Academy', yearGroup: '8', attendancePercent: '86.50', exclusions: 0 },
    ],
    entries: [
      {
        org: 'RVA',
        daysAgo: 20,
        category: 'education',
        summary: 'Attendance below 90% this term; DSL monitoring.',
        sensitivity: 'education',
        shareable: true,
      },
    ],
  },
  {
    key: 'leah',
    child: {
      givenName: 'Leah',
      familyName: 'Thompson',
      preferredName: 'Lee',
      dateOfBirth: '2010-02-20',
      sex: 'F',
      ethnicity: 'WBRI',
      nhsNumber: '4010232137',
      upn: 'B801200006002',
      pncId: '21/654321M',
      laChildId: 'NSC-100877',
    },
    lead: 'NSC',
    contributing: ['NSP', 'RVA', 'NNHS'],
    addresses: [
      { by: 'NSC', line1: '17 Fenwick Road', town: 'Northtown', postcode: 'NT1 4AB' },
      {
        by: 'NSC',
        line1: 'Placement address (supported lodgings)',
        town: 'Easton',
        postcode: 'EA3 9ZZ',
        confidential: true,
      },
    ],
    sections: [
      {
        org: 'NSC',
        legalStatus: 'S20',
        allocatedWorkerId: null,
        planStatus: 'child_protection_plan',
        // The initial conference that made the plan (what a nurse's look-up answers).
        planStartDate: '2026-09-14',
      },
      {
        org: 'NSP',
        markers: ['CSE-risk', 'frequent-missing'],
        intelligenceNotes: 'Seen getting into a grey hatchback with older males near the bus station.',
      },
      {
        org: 'RVA',
        schoolName: 'Riverside Academy',
        yearGroup: '11',
        attendancePercent: '61.00',
        exclusions: 1,
        safeguardingNotes: 'New phone and expensive gifts noticed by staff.',
      },
      {
        org: 'NNHS',
        gpPractice: 'Northtown Medical Centre',
        healthNotes: 'Missed two appointments.',
        sexualHealthNotes: 'Attended sexual health clinic; follow-up booked.',
      },
    ],
    entries: [
      {
        org: 'RVA',
        daysAgo: 30,
        category: 'concern',
        summary: 'Staff report older "boyfriend" collecting Leah from school.',
        detail: 'Seen three times this month getting into a grey hatchback; Leah says he is "just a friend".',
        sensitivity: 'education',
        shareable: true,
      },
      {
        org: 'NSC',
        daysAgo: 25,
        category: 'strategy_discussion',
        summary: 'Strategy discussion held; s47 enquiry (joint with police).',
        detail: 'Joint visit agreed with police; health to share clinic attendance; review in ten working days.',
        sensitivity: 'social-care',
        shareable: true,
      },
      {
        org: 'NSP',
        daysAgo: 22,
        category: 'missing_episode',
        summary: 'Reported missing overnight; found at a known hotspot address.',
        detail: 'Found at a flat above the Mill Lane takeaway with two adult males; grey hatchback seen outside.',
        sensitivity: 'police-intelligence',
        shareable: true,
        multiAgency: true,
      },
      {
        org: 'NSP',
        daysAgo: 21,
        category: 'police_incident',
        summary: 'Vehicle registration linked to a person of interest.',
        detail: 'PNC check on AB12 CDE: linked to Op Kestrel.',
        sensitivity: 'police-intelligence',
        shareable: false,
      },
      {
        org: 'NNHS',
        daysAgo: 15,
        category: 'health_appointment',
        summary: 'Health appointment attended.',
        detail: 'Sexual health clinic attendance; follow-up booked.',
        sensitivity: 'sexual-health',
        shareable: true,
        multiAgency: true,
      },
    ],
  },
  {
    key: 'kai',
    child: {
      givenName: 'Kai',
      familyName: 'Robinson',
      dateOfBirth: '2009-11-11',
      sex: 'M',
      ethnicity: 'MWBA',
      nhsNumber: '4505577104',
      pncId: '19/123456E',
    },
    lead: 'NSP',
    contributing: ['SSP'],
    sections: [
      { org: 'NSP', markers: ['county-lines'], intelligenceNotes: 'Found carrying cash and two phones in Northshire.' },
      {
        org: 'SSP',
        markers: ['missing-from-home'],
        intelligenceNotes: 'Stopped at Southshire station with an adult male.',
      },
    ],
    entries: [
      {
        org: 'NSP',
        daysAgo: 10,
        category: 'police_incident',
        summary: 'Stop and search: cash and phones; referred to CSE unit.',
        sensitivity: 'police-intelligence',
        shareable: true,
      },
      {
        org: 'SSP',
        daysAgo: 6,
        category: 'missing_episode',
        summary: 'Found in Southshire after a missing episode from Northshire.',
        sensitivity: 'police-intelligence',
        shareable: true,
      },
    ],
  },
  {
    key: 'freya',
    child: {
      givenName: 'Freya',
      familyName: 'Hughes',
      dateOfBirth: '2014-01-30',
      sex: 'F',
      ethnicity: 'WOTH',
      nhsNumber: '4621001124',
      restricted: true,
    },
    lead: 'NSC',
    contributing: ['NSP'],
    caseTeam: ['social.worker@northshire-council.example', 'team.manager@northshire-council.example'],
    addresses: [{ by: 'NSC', line1: 'Foster placement', town: 'Westbury', postcode: 'WB1 2XY', confidential: true }],
    sections: [{ org: 'NSC', legalStatus: 'S31', planStatus: 'looked_after' }],
    entries: [
      {
        org: 'NSC',
        daysAgo: 5,
        category: 'decision',
        summary: 'Record restricted: placement must not be known to family.',
        sensitivity: 'social-care',
        shareable: true,
      },
    ],
  },
  {
    key: 'ruby',
    child: {
      givenName: 'Ruby',
      familyName: 'Evans',
      dateOfBirth: '2009-04-18',
      sex: 'F',
      ethnicity: 'BCRB',
      nhsNumber: '4783295212',
    },
    lead: 'NNHS',
    sections: [
      {
        org: 'NNHS',
        gpPractice: 'Riverside Surgery',
        healthNotes: 'Asthma review due.',
        sexualHealthNotes: 'Contraception advice given.',
      },
    ],
    entries: [
      {
        org: 'NNHS',
        daysAgo: 9,
        category: 'health_appointment',
        summary: 'School nurse drop-in.',
        sensitivity: 'health',
        shareable: true,
      },
    ],
  },
];

const DAY = 86_400_000;

/** Seeds the demo children once (skipped when any child exists), with audit events for every write. */
export async function seedDemoChildren(ds: DataSource, now = new Date()): Promise<number> {
  if ((await ds.getRepository(Child).count()) > 0) return 0;
  const audit = new AuditService(ds);
  await ds.transaction(async (tx) => {
    const orgs = new Map((await tx.getRepository(Organisation).find()).map((o) => [o.code, o]));
    const users = new Map((await tx.getRepository(User).find()).map((u) => [u.email, u]));
    const org = (code: Org) => orgs.get(code)!;
    for (const spec of DEMO_CHILDREN) await seedOne(tx, audit, spec, org, users, now);
    const byKey: Record<string, string> = {};
    for (const spec of DEMO_CHILDREN) {
      const found = await tx.getRepository(Child).findOneBy({
        givenName: spec.child.givenName,
        familyName: spec.child.familyName,
        dateOfBirth: spec.child.dateOfBirth,
      });
      if (found) byKey[spec.key] = found.id;
    }
    await seedDemoPolice(tx, audit, org, users, byKey, now);
  });
  return DEMO_CHILDREN.length;
}

async function seedOne(
  tx: EntityManager,
  audit: AuditService,
  spec: DemoChild,
  org: (code: Org) => Organisation,
  users: Map<string, User>,
  now: Date,
): Promise<void> {
  const lead = org(spec.lead);
  const registrar = [...users.values()].find((u) => u.organisationId === lead.id && !u.roles.includes('org_admin'))!;
  const child = await tx.getRepository(Child).save(
    tx.getRepository(Child).create({
      previousNames: [],
      disabilities: [],
      ...spec.child,
      searchName: searchNameOf(spec.child),
      nameKey: nameKeyOf(spec.child),
      createdByOrganisationId: lead.id,
    }),
  );
  const since = new Date(now.getTime() - 60 * DAY);
  await tx.getRepository(Involvement).insert([
    {
      childId: child.id,
      organisationId: lead.id,
      // The lead agency is children's services; any other registrant simply works with the child.
      kind: lead.type === 'local_authority' ? ('lead' as const) : ('contributing' as const),
      basis: 'registered',
      fromAt: since,
      reason: 'Registered the child',
    },
    ...(spec.contributing ?? []).map((code) => ({
      childId: child.id,
      organisationId: org(code).id,
      kind: 'contributing' as const,
      basis: 'referral_accepted' as const,
      fromAt: since,
      reason: 'Accepted a referral about the child',
    })),
  ]);
  for (const email of spec.caseTeam ?? []) {
    await tx.getRepository(CaseTeamMember).insert({ childId: child.id, userId: users.get(email)!.id });
  }
  for (const { by, ...a } of spec.addresses ?? []) {
    await tx.getRepository(ChildAddress).insert({
      line2: null,
      confidential: false,
      ...a,
      childId: child.id,
      organisationId: org(by).id,
    } as ChildAddress);
  }
  for (const { org: code, ...s } of spec.sections ?? []) {
    const o = org(code);
    await tx.getRepository(AgencySection).insert({
      markers: [],
      ...s,
      childId: child.id,
      organisationId: o.id,
      agencyType: o.type as AgencySection['agencyType'],
    });
  }
  for (const { org: code, daysAgo, multiAgency, detail, ...e } of spec.entries) {
    const occurredAt = new Date(now.getTime() - daysAgo * DAY);
    await tx.getRepository(ChronologyEntry).insert({
      ...e,
      detail: detail ?? null,
      multiAgency: multiAgency ?? multiAgencyByDefault(e.category, e.sensitivity),
      childId: child.id,
      organisationId: org(code).id,
      occurredAt,
      recordedAt: occurredAt,
    });
  }
  await audit.record(tx, {
    actor: {
      kind: 'user',
      id: registrar.id,
      organisationId: lead.id,
      organisationType: lead.type,
      teamId: registrar.teamId,
      roles: registrar.roles,
      scopes: [],
    },
    action: 'child.create',
    subjectType: 'Child',
    subjectIds: [child.id],
    childIds: [child.id],
    outcome: 'allowed',
    purpose: 'direct_safeguarding',
    details: { seed: true, sections: spec.sections?.length ?? 0, entries: spec.entries.length },
    at: now,
  });
}
