import type { DataSource } from 'typeorm';

const DAY = 86_400_000;
const day = (now: Date, daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10);

/**
 * Schools and health in the demo world (issue 15), seeded once after the demo children (skipped
 * when Riverside Academy already has a roll): Riverside's roll (Amelia and Leah); Amelia moving to
 * Hillside High School, her safeguarding file sent separately and its receipt confirmed (the new
 * school's read-only copy, with its provenance); and Ruby's therapeutic support plan with the
 * trust's nurse as key worker, reviewed twice, its next review due. Fictional.
 *
 * Kept out of the test suite's shared demo world (its journeys put Leah on the roll themselves);
 * `test/demo-schools-health.e2e-spec.ts` seeds it into a database of its own.
 */
export async function seedDemoSchoolsAndHealth(ds: DataSource, now = new Date()): Promise<boolean> {
  return ds.transaction(async (tx) => {
    const q = async <T = { id: string }>(sql: string, params: unknown[] = []) => (await tx.query(sql, params)) as T[];
    const org = async (code: string) => (await q(`SELECT id, name FROM organisation WHERE code = $1`, [code]))[0];
    const user = async (email: string) => (await q(`SELECT id FROM app_user WHERE email = $1`, [email]))[0]!.id;
    const child = async (nhs: string) => (await q(`SELECT id FROM child WHERE nhs_number = $1`, [nhs]))[0];
    const rva = await org('RVA');
    const hhs = await org('HHS');
    const nnhs = await org('NNHS');
    if (!rva || !hhs || !nnhs) return false;
    if ((await q(`SELECT id FROM pupil WHERE organisation_id = $1 LIMIT 1`, [rva.id])).length) return false;
    const amelia = (await q(`SELECT id FROM child WHERE upn = 'B801200005001'`))[0];
    const leah = await child('4010232137');
    const ruby = await child('4783295212');
    if (!amelia || !leah || !ruby) return false;

    // Riverside Academy's roll.
    const [ameliaAtRva] = await q(
      `INSERT INTO pupil (organisation_id, child_id, upn, given_name, family_name, date_of_birth, year_group, on_roll_from)
       SELECT $1, c.id, 'B801200005001', c.given_name, c.family_name, c.date_of_birth, '9', '2023-09-04' FROM child c WHERE c.id = $2 RETURNING id`,
      [rva.id, amelia.id],
    );
    await q(
      `INSERT INTO pupil (organisation_id, child_id, upn, given_name, family_name, date_of_birth, year_group, on_roll_from)
       SELECT $1, c.id, 'B801200006002', c.given_name, c.family_name, c.date_of_birth, '11', '2021-09-02' FROM child c WHERE c.id = $2`,
      [rva.id, leah.id],
    );

    // Amelia moves to Hillside High School: the file sent within the 5 school days, receipt confirmed.
    const movedOn = day(now, 20);
    const sentAt = new Date(now.getTime() - 19 * DAY);
    const receivedAt = new Date(now.getTime() - 17 * DAY);
    const rvaDsl = await user('dsl@riverside-academy.example');
    const hhsDsl = await user('dsl@hillside-high.example');
    await q(`UPDATE pupil SET left_on = $2 WHERE id = $1`, [ameliaAtRva!.id, movedOn]);
    const file = {
      pupil: {
        id: ameliaAtRva!.id,
        givenName: 'Amelia',
        familyName: 'Clarke',
        yearGroup: '9',
        onRollFrom: '2023-09-04',
        leftOn: null,
        upn: 'B801200005001',
        childId: amelia.id,
        version: 1,
      },
      dateOfBirth: null,
      status: { childInNeed: false, childProtectionPlan: false, lookedAfter: false },
      concerns: [],
      actions: [],
      receivedFiles: [],
      provenance: {
        fromSchool: { id: rva.id, name: (rva as { name?: string }).name ?? 'Riverside Academy' },
        sentAt: sentAt.toISOString(),
        sentBy: rvaDsl,
        movedOn,
        note: 'A read-only copy of the safeguarding file as the sending school held it, sent separately from the main pupil file.',
      },
    };
    const [transfer] = await q(
      `INSERT INTO safeguarding_file_transfer (child_id, pupil_id, from_organisation_id, destination, to_organisation_id,
              moved_on, status, due_at, sent_at, sent_by, received_at, received_by, file, version)
       VALUES ($1, $2, $3, 'SCHOOL', $4, $5, 'RECEIVED', $6, $7, $8, $9, $10, $11, 2) RETURNING id`,
      [
        amelia.id,
        ameliaAtRva!.id,
        rva.id,
        hhs.id,
        movedOn,
        new Date(now.getTime() - 13 * DAY),
        sentAt,
        rvaDsl,
        receivedAt,
        hhsDsl,
        JSON.stringify(file),
      ],
    );
    await q(
      `INSERT INTO pupil (organisation_id, child_id, upn, given_name, family_name, date_of_birth, year_group, on_roll_from)
       SELECT $1, c.id, 'B801200005001', c.given_name, c.family_name, c.date_of_birth, '9', $3 FROM child c WHERE c.id = $2`,
      [hhs.id, amelia.id, day(now, 17)],
    );
    await q(
      `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason, created_by)
       VALUES ($1, $2, 'contributing', 'statutory', $3, 'On the school roll', $4)`,
      [amelia.id, hhs.id, receivedAt, hhsDsl],
    );
    await q(
      `INSERT INTO deadline (subject_type, subject_id, child_id, organisation_id, rule, due_at, state, opened_at, closed_at)
       VALUES ('FileTransfer', $1, $2, $3, 'education.file_transfer', $4, 'met', $5, $6)`,
      [transfer!.id, amelia.id, hhs.id, new Date(now.getTime() - 13 * DAY), sentAt, receivedAt],
    );

    // Ruby's therapeutic support: consent, the nurse as key worker, two reviews, the next one due.
    const nurse = await user('nurse@northshire-nhs.example');
    const start = day(now, 200);
    const reviews = [day(now, 110), day(now, 20)];
    const nextReviewDue = new Date(now.getTime() + 70 * DAY).toISOString().slice(0, 10);
    const [plan] = await q(
      `INSERT INTO therapeutic_support_plan (child_id, organisation_id, service, consent_given_by, consent_given_on,
              consent_notes, start_date, key_worker_id, review_interval_months, next_review_due, status, created_by,
              created_at, version)
       VALUES ($1, $2, 'Northshire CSE Recovery Service', 'young_person', $3, 'Ruby agreed at the drop-in; her mother knows.',
               $3, $4, 3, $5, 'ACTIVE', $4, $6, 3) RETURNING id`,
      [ruby.id, nnhs.id, start, nurse, nextReviewDue, new Date(now.getTime() - 200 * DAY)],
    );
    const outcomes = ['Engaging weekly; sleeping better.', 'Back at school full time; wants to carry on.'];
    for (const [i, heldOn] of reviews.entries()) {
      await q(
        `INSERT INTO therapeutic_support_review (plan_id, held_on, outcome, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
        [plan!.id, heldOn, outcomes[i], nurse, new Date(`${heldOn}T15:00:00Z`)],
      );
    }
    await q(
      `INSERT INTO deadline (subject_type, subject_id, child_id, organisation_id, responsible_user_id, rule, due_at, state, opened_at)
       VALUES ('SupportPlan', $1, $2, $3, $4, 'support_plan.review', $5, 'open', $6)`,
      [
        plan!.id,
        ruby.id,
        nnhs.id,
        nurse,
        new Date(`${nextReviewDue}T22:59:59.999Z`),
        new Date(`${reviews[1]}T15:00:00Z`),
      ],
    );
    return true;
  });
}
