import { childKnownSql } from '@app/children';

/*
 * The network and problem-profile statements, shared by PoliceService and bench/network.ts (which
 * runs them through bare `pg` beside the API). Named parameters as TypeORM writes them.
 */

/**
 * Another force's node that force :org may no longer see: disclosed to it before (that is how :org
 * came to link it), and every disclosure of it to :org now revoked or past its end (:now); a new
 * disclosure after a revocation opens it again. A node of :org's own has no grant to :org (no rows:
 * NULL), so `NOT` of this keeps exactly the nodes :org may see.
 */
const disclosureEnded = (node: string) =>
  // Uncorrelated: the (few) nodes whose every disclosure to :org ended, found once per statement and
  // probed as a hash, not a subquery per link (2.5 s of the profiles' 3.1 s at 800,000 links).
  `${node} IN (SELECT g.node_id FROM police_node_grant g WHERE g.grantee_organisation_id = :org
                 GROUP BY g.node_id HAVING bool_and(g.revoked_at IS NOT NULL OR g.until_at <= :now))`;

/**
 * The nodes within :depth hops of :start (kind :startKind) along the links of force :org: a
 * recursive CTE, each hop two index probes (ix_police_link_a, ix_police_link_b). A child is named
 * only to those who know it (:org, :user, :now); another force's node whose disclosure ended is
 * neither shown nor walked through; at most :cap nodes, nearest first. Each node's label is one
 * index probe of its own kind's table (a lateral UNION ALL whose branches are gated on the kind),
 * never a hash join over whole tables, which the planner chose for four LEFT JOINs.
 */
export const NETWORK_NODES_SQL = `WITH RECURSIVE walk(id, kind, depth) AS (
         SELECT :start::uuid, :startKind::varchar, 0
         UNION
         SELECT x.id, x.kind::varchar, w.depth + 1
           FROM walk w
           CROSS JOIN LATERAL (
             SELECT l.b_id AS id, l.b_kind AS kind FROM police_link l WHERE l.a_id = w.id AND l.organisation_id = :org
             UNION ALL
             SELECT l.a_id, l.a_kind FROM police_link l WHERE l.b_id = w.id AND l.organisation_id = :org
           ) x
          WHERE w.depth < :depth AND NOT ${disclosureEnded('x.id')}
       ), reached AS (SELECT id, min(kind) AS kind, min(depth) AS depth FROM walk GROUP BY id)
       SELECT r.id, r.kind, r.depth, n.label, n.hotspot, n.organisation_id AS "organisationId"
         FROM reached r
         LEFT JOIN LATERAL (
           SELECT CASE WHEN c.restricted = false AND ${childKnownSql('c.id', { org: 'org', user: 'user', now: 'now' })}
                       THEN c.given_name || ' ' || c.family_name ELSE 'A child' END AS label,
                  NULL::boolean AS hotspot, NULL::uuid AS organisation_id
             FROM child c WHERE r.kind = 'child' AND c.id = r.id
           UNION ALL
           SELECT p.given_name || ' ' || p.family_name, NULL, p.organisation_id
             FROM police_person p WHERE r.kind = 'person' AND p.id = r.id
           UNION ALL
           SELECT v.vrm, NULL, v.organisation_id FROM police_vehicle v WHERE r.kind = 'vehicle' AND v.id = r.id
           UNION ALL
           SELECT lo.address || ', ' || lo.postcode, lo.hotspot, lo.organisation_id
             FROM police_location lo WHERE r.kind = 'location' AND lo.id = r.id
         ) n ON true
        ORDER BY r.depth, r.kind, label LIMIT :cap`;

/** The links of force :org between the nodes :ids. */
export const NETWORK_EDGES_SQL = `SELECT l.id, l.a_id AS "from", l.b_id AS "to", l.source_kind AS "sourceKind", l.confidence,
              to_char(l.linked_on, 'YYYY-MM-DD') AS "linkedOn"
         FROM police_link l WHERE l.organisation_id = :org AND l.a_id = ANY(:ids) AND l.b_id = ANY(:ids)`;

/**
 * The persons, vehicles and locations force :org links to at least :k children, largest first
 * (:limit); not another force's node whose disclosure to :org ended (:now). Counted by an
 * index-only scan of the force's child links (ix_police_link_org_child); the children are listed
 * for the :limit nodes kept only, one index probe each.
 */
export const PROBLEM_PROFILES_SQL = `SELECT g.kind, g.node_id AS "nodeId", g.n AS "childCount", g.n AS "directChildCount",
                (SELECT array_agg(x.a_id ORDER BY x.a_id) FROM police_link x
                  WHERE x.organisation_id = :org AND x.a_kind = 'child' AND x.b_id = g.node_id) AS "childIds",
                CASE g.kind WHEN 'person' THEN p.given_name || ' ' || p.family_name
                            WHEN 'vehicle' THEN v.vrm ELSE lo.address || ', ' || lo.postcode END AS label
           FROM (SELECT l.b_id AS node_id, min(l.b_kind) AS kind, count(*)::int AS n
                   FROM police_link l WHERE l.organisation_id = :org AND l.a_kind = 'child'
                    AND NOT ${disclosureEnded('l.b_id')}
                  GROUP BY l.b_id HAVING count(*) >= :k
                  ORDER BY count(*) DESC, l.b_id LIMIT :limit) g
           LEFT JOIN police_person p ON g.kind = 'person' AND p.id = g.node_id
           LEFT JOIN police_vehicle v ON g.kind = 'vehicle' AND v.id = g.node_id
           LEFT JOIN police_location lo ON g.kind = 'location' AND lo.id = g.node_id
          ORDER BY g.n DESC, g.node_id`;

/**
 * Problem profiles through second-degree links: the persons, vehicles and locations force :org
 * connects to at least :k children within :degree hops (1 or 2) along its own links, e.g. a car
 * whose driver (a person linked to the car) is linked to a child. A recursive CTE from each
 * child's direct links, one more hop per level through persons, vehicles and locations (never
 * through a child, never to another force's node whose disclosure to :org ended), joined set-wise
 * (a hash join on the force's non-child links, not two index probes per row: the whole force's
 * links are read anyway); largest first (:limit). The children are only those :org itself
 * linked: nothing of another force.
 */
export const PROBLEM_PROFILES_DEGREE_SQL = `WITH RECURSIVE edge(from_id, to_id, to_kind) AS MATERIALIZED (
         -- The force's links between persons, vehicles and locations, both ways, without ended disclosures.
         SELECT l.a_id, l.b_id, l.b_kind::varchar FROM police_link l
          WHERE l.organisation_id = :org AND l.a_kind <> 'child' AND NOT ${disclosureEnded('l.b_id')}
         UNION ALL
         SELECT l.b_id, l.a_id, l.a_kind::varchar FROM police_link l
          WHERE l.organisation_id = :org AND l.a_kind <> 'child' AND NOT ${disclosureEnded('l.a_id')}
       ), hop(child, node, kind, depth) AS (
         SELECT l.a_id, l.b_id, l.b_kind::varchar, 1 FROM police_link l
          WHERE l.organisation_id = :org AND l.a_kind = 'child' AND NOT ${disclosureEnded('l.b_id')}
         UNION
         SELECT h.child, e.to_id, e.to_kind, h.depth + 1
           FROM hop h JOIN edge e ON e.from_id = h.node
          WHERE h.depth < :degree
       ), pairs AS (
         -- One row per child and node: the nearest way the child reaches it.
         SELECT h.node, h.child, min(h.kind) AS kind, min(h.depth) AS depth FROM hop h GROUP BY h.node, h.child
       ), g AS (
         SELECT p.node AS node_id, min(p.kind) AS kind, count(*)::int AS n,
                count(*) FILTER (WHERE p.depth = 1)::int AS direct
           FROM pairs p GROUP BY p.node HAVING count(*) >= :k
          ORDER BY n DESC, p.node LIMIT :limit
       ), members AS (
         SELECT g.node_id, array_agg(p.child ORDER BY p.child) AS child_ids
           FROM g JOIN pairs p ON p.node = g.node_id GROUP BY g.node_id)
       SELECT g.kind, g.node_id AS "nodeId", g.n AS "childCount", g.direct AS "directChildCount", m.child_ids AS "childIds",
              CASE g.kind WHEN 'person' THEN p.given_name || ' ' || p.family_name
                          WHEN 'vehicle' THEN v.vrm ELSE lo.address || ', ' || lo.postcode END AS label
         FROM g
         JOIN members m ON m.node_id = g.node_id
         LEFT JOIN police_person p ON g.kind = 'person' AND p.id = g.node_id
         LEFT JOIN police_vehicle v ON g.kind = 'vehicle' AND v.id = g.node_id
         LEFT JOIN police_location lo ON g.kind = 'location' AND lo.id = g.node_id
        ORDER BY g.n DESC, g.node_id`;
