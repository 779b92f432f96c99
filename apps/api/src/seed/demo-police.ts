import type { EntityManager } from 'typeorm';
import type { AuditService } from '@app/audit';
import type { Organisation, User } from '@app/identity';

/**
 * The police demo data (issue 14): Leah's network as Northshire Police's CSE unit knows it: the car
 * AB12 CDE, an older "boyfriend" and a hotspot address, linked to Kai and Freya too (a problem
 * profile of three children on the car), and Southshire Police's own record of the same car, with
 * the cross-force match both forces were told of (reference PM-DE0000AB12). Fictional.
 */
export async function seedDemoPolice(
  tx: EntityManager,
  audit: AuditService,
  org: (code: 'NSP' | 'SSP') => Organisation,
  users: Map<string, User>,
  childIds: Record<string, string>,
  now: Date,
): Promise<void> {
  const nsp = org('NSP');
  const ssp = org('SSP');
  const officer = users.get('cse.officer@northshire-police.example')!;
  const southern = users.get('cse.officer@southshire-police.example')!;
  const one = async (sql: string, params: unknown[]) => ((await tx.query(sql, params)) as { id: string }[])[0]!.id;

  const car = await one(
    `INSERT INTO police_vehicle (organisation_id, vrm, make, colour, created_by, created_at)
     VALUES ($1, 'AB12CDE', 'Vauxhall Corsa', 'grey', $2, $3) RETURNING id`,
    [nsp.id, officer.id, now],
  );
  const boyfriend = await one(
    `INSERT INTO police_person (organisation_id, given_name, family_name, name_key, aliases, date_of_birth, pnc_id, created_by, created_at)
     VALUES ($1, 'Ryan', 'Cole', 'ryan cole', '{"Ry","Coley"}', '1998-07-14', '16/482913Y', $2, $3) RETURNING id`,
    [nsp.id, officer.id, now],
  );
  const flat = await one(
    `INSERT INTO police_location (organisation_id, address, postcode, address_key, latitude, longitude, hotspot, created_by, created_at)
     VALUES ($1, 'Flat above the takeaway, 14 Mill Lane, Northtown', 'NT1 4AB', 'flat above the takeaway 14 mill lane northtown|NT14AB',
             54.5731, -1.2342, true, $2, $3) RETURNING id`,
    [nsp.id, officer.id, now],
  );
  const links: [string, string, string, string, string][] = [
    ['child', childIds.leah!, 'vehicle', car, 'high'],
    ['child', childIds.leah!, 'person', boyfriend, 'high'],
    ['child', childIds.leah!, 'location', flat, 'high'],
    ['child', childIds.kai!, 'vehicle', car, 'medium'],
    ['child', childIds.freya!, 'vehicle', car, 'medium'],
    ['child', childIds.freya!, 'location', flat, 'low'],
    ['person', boyfriend, 'vehicle', car, 'high'],
    ['person', boyfriend, 'location', flat, 'medium'],
  ];
  for (const [aKind, a, bKind, b, confidence] of links) {
    await tx.query(
      `INSERT INTO police_link (organisation_id, a_kind, a_id, b_kind, b_id, source_kind, source_ref, linked_on, confidence, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, 'intelligence', 'Op Kestrel', $6::date, $7, $8, $9)`,
      [
        nsp.id,
        aKind,
        a,
        bKind,
        b,
        new Date(now.getTime() - 21 * 86_400_000).toISOString().slice(0, 10),
        confidence,
        officer.id,
        now,
      ],
    );
  }
  const southCar = await one(
    `INSERT INTO police_vehicle (organisation_id, vrm, make, colour, created_by, created_at)
     VALUES ($1, 'AB12CDE', 'Vauxhall', 'grey', $2, $3) RETURNING id`,
    [ssp.id, southern.id, now],
  );
  const [first, second] = [
    { id: car, org: nsp.id },
    { id: southCar, org: ssp.id },
  ].sort((x, y) => x.id.localeCompare(y.id));
  await tx.query(
    `INSERT INTO police_match (reference, kind, matched_on, first_node_id, first_organisation_id, second_node_id, second_organisation_id, created_at)
     VALUES ('PM-DE0000AB12', 'vehicle', 'vrm', $1, $2, $3, $4, $5)`,
    [first!.id, first!.org, second!.id, second!.org, now],
  );
  for (const [user, o, ids] of [
    [officer, nsp, [car, boyfriend, flat]],
    [southern, ssp, [southCar]],
  ] as const) {
    await audit.record(tx, {
      actor: {
        kind: 'user',
        id: user.id,
        organisationId: o.id,
        organisationType: o.type,
        teamId: user.teamId,
        roles: user.roles,
        scopes: [],
      },
      action: 'police.demo.seed',
      subjectType: 'PoliceIntelligence',
      subjectIds: [...ids],
      childIds: o.id === nsp.id ? [childIds.leah!, childIds.kai!, childIds.freya!] : [],
      outcome: 'allowed',
      purpose: 'direct_safeguarding',
      at: now,
    });
  }
}
