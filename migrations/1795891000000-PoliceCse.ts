import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The police CSE unit (libs/police): screenings, missing episodes, persons/vehicles/locations of
 * interest, the links between them and children (one edge table, walked by a recursive CTE through
 * its two indexes), cross-force matches and what a force disclosed of its nodes, and CAWNs.
 */
export class PoliceCse1795891000000 implements MigrationInterface {
  name = 'PoliceCse1795891000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cse_screening (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      child_id uuid NOT NULL REFERENCES child(id),
      screened_on date NOT NULL,
      vulnerabilities text[] NOT NULL,
      indicators jsonb NOT NULL,
      score smallint NOT NULL,
      band varchar(20) NOT NULL CHECK (band IN ('not_at_risk','mild','moderate','significant')),
      review_due_on date NOT NULL,
      notes text,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX ix_cse_screening_child ON cse_screening (child_id, organisation_id, screened_on DESC)');

    await q.query(`CREATE TABLE missing_episode (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      child_id uuid NOT NULL REFERENCES child(id),
      status varchar(20) NOT NULL CHECK (status IN ('MISSING','FOUND','INTERVIEWED','NO_INTERVIEW')),
      reported_by varchar(200) NOT NULL,
      reported_at timestamptz NOT NULL,
      risk_grading varchar(10) NOT NULL CHECK (risk_grading IN ('no_apparent_risk','low','medium','high')),
      found_at timestamptz,
      found_location varchar(300),
      found_with varchar(300),
      interview_due_at timestamptz,
      interview_held_at timestamptz,
      interviewer varchar(200),
      interviewer_independent boolean,
      interview_outcome text,
      no_interview_reason text,
      version integer NOT NULL DEFAULT 1,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX ix_missing_episode_child ON missing_episode (child_id, reported_at DESC)');

    await q.query(`CREATE TABLE police_person (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      given_name varchar(100) NOT NULL,
      family_name varchar(100) NOT NULL,
      name_key varchar(210) NOT NULL,
      aliases text[] NOT NULL DEFAULT '{}',
      date_of_birth date,
      pnc_id varchar(20),
      version integer NOT NULL DEFAULT 1,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX ix_police_person_pnc ON police_person (pnc_id) WHERE pnc_id IS NOT NULL');
    await q.query('CREATE INDEX ix_police_person_name ON police_person (name_key, date_of_birth)');
    await q.query('CREATE INDEX ix_police_person_org ON police_person (organisation_id)');

    await q.query(`CREATE TABLE police_vehicle (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      vrm varchar(8) NOT NULL,
      make varchar(60),
      colour varchar(40),
      version integer NOT NULL DEFAULT 1,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT uq_police_vehicle_vrm UNIQUE (organisation_id, vrm))`);
    await q.query('CREATE INDEX ix_police_vehicle_vrm ON police_vehicle (vrm)');

    await q.query(`CREATE TABLE police_location (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      address varchar(300) NOT NULL,
      postcode varchar(8) NOT NULL,
      address_key varchar(320) NOT NULL,
      latitude numeric(8,6) CHECK (latitude BETWEEN -90 AND 90),
      longitude numeric(9,6) CHECK (longitude BETWEEN -180 AND 180),
      hotspot boolean NOT NULL DEFAULT false,
      version integer NOT NULL DEFAULT 1,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX ix_police_location_key ON police_location (address_key)');
    await q.query('CREATE INDEX ix_police_location_org ON police_location (organisation_id)');

    // One edge table: a is a child or a person, b a person, vehicle or location. Walked both ways.
    await q.query(`CREATE TABLE police_link (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      a_kind varchar(10) NOT NULL CHECK (a_kind IN ('child','person')),
      a_id uuid NOT NULL,
      b_kind varchar(10) NOT NULL CHECK (b_kind IN ('person','vehicle','location')),
      b_id uuid NOT NULL,
      source_kind varchar(20) NOT NULL CHECK (source_kind IN ('concern','referral','intelligence','missing_episode','screening')),
      source_ref varchar(100),
      linked_on date NOT NULL,
      confidence varchar(10) NOT NULL CHECK (confidence IN ('low','medium','high')),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT uq_police_link UNIQUE (organisation_id, a_id, b_id),
      CONSTRAINT ck_police_link_distinct CHECK (a_id <> b_id))`);
    await q.query('CREATE INDEX ix_police_link_a ON police_link (a_id, organisation_id) INCLUDE (b_id, b_kind)');
    await q.query('CREATE INDEX ix_police_link_b ON police_link (b_id, organisation_id) INCLUDE (a_id, a_kind)');
    await q.query(
      "CREATE INDEX ix_police_link_org_child ON police_link (organisation_id, b_id, a_id) WHERE a_kind = 'child'",
    );

    await q.query(`CREATE TABLE police_match (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference varchar(20) NOT NULL UNIQUE,
      kind varchar(10) NOT NULL CHECK (kind IN ('person','vehicle','location')),
      matched_on varchar(20) NOT NULL,
      first_node_id uuid NOT NULL,
      first_organisation_id uuid NOT NULL REFERENCES organisation(id),
      second_node_id uuid NOT NULL,
      second_organisation_id uuid NOT NULL REFERENCES organisation(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT uq_police_match_nodes UNIQUE (first_node_id, second_node_id))`);
    await q.query('CREATE INDEX ix_police_match_first ON police_match (first_organisation_id)');
    await q.query('CREATE INDEX ix_police_match_second ON police_match (second_organisation_id)');

    await q.query(`CREATE TABLE police_match_request (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      match_id uuid NOT NULL REFERENCES police_match(id),
      from_organisation_id uuid NOT NULL REFERENCES organisation(id),
      to_organisation_id uuid NOT NULL REFERENCES organisation(id),
      reason text NOT NULL,
      status varchar(10) NOT NULL CHECK (status IN ('REQUESTED','DISCLOSED','DECLINED')),
      decision_reason text,
      lawful_basis varchar(40),
      requested_by uuid NOT NULL,
      requested_at timestamptz NOT NULL,
      decided_by uuid,
      decided_at timestamptz,
      CONSTRAINT uq_police_match_request UNIQUE (match_id, from_organisation_id))`);

    await q.query(`CREATE TABLE police_node_grant (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      node_id uuid NOT NULL,
      grantor_organisation_id uuid NOT NULL REFERENCES organisation(id),
      grantee_organisation_id uuid NOT NULL REFERENCES organisation(id),
      match_request_id uuid NOT NULL REFERENCES police_match_request(id),
      granted_at timestamptz NOT NULL,
      CONSTRAINT uq_police_node_grant UNIQUE (node_id, grantee_organisation_id))`);
    await q.query('CREATE INDEX ix_police_node_grant_grantee ON police_node_grant (grantee_organisation_id)');

    await q.query(`CREATE TABLE cawn (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisation(id),
      person_id uuid NOT NULL REFERENCES police_person(id),
      child_id uuid NOT NULL REFERENCES child(id),
      served_on date NOT NULL,
      expires_on date NOT NULL,
      child_in_care boolean NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT ck_cawn_dates CHECK (expires_on > served_on))`);
    await q.query('CREATE INDEX ix_cawn_person ON cawn (person_id)');
    await q.query('CREATE INDEX ix_cawn_child ON cawn (child_id)');
    await q.query(`CREATE TABLE cawn_breach (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      cawn_id uuid NOT NULL REFERENCES cawn(id),
      occurred_at timestamptz NOT NULL,
      detail varchar(2000) NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX ix_cawn_breach_cawn ON cawn_breach (cawn_id)');
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'cawn_breach',
      'cawn',
      'police_node_grant',
      'police_match_request',
      'police_match',
      'police_link',
      'police_location',
      'police_vehicle',
      'police_person',
      'missing_episode',
      'cse_screening',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
