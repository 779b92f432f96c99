import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Notifier } from '@app/casework';
import { Clock, namedQuery } from '@app/platform';
import { DISCLOSURE_ENDING_NOTICE_DAYS } from './police.clocks';
import { CSE_UNIT_ROLES, cseTeamOf } from './police.service';

interface EndingGrant {
  grantor: string;
  grantee: string;
  decided_by: string | null;
  reference: string;
  grantor_node: string;
  grantee_node: string;
  until_at: Date;
}

/**
 * Tells both forces, DISCLOSURE_ENDING_NOTICE_DAYS ahead, that a disclosure after a cross-force
 * match is about to end (once per disclosure, `ending_announced_at`): the supervisor who disclosed
 * (by name) and the receiving force's CSE unit. The match reference and the end time only, never
 * the node's content. A revoked or already ended disclosure is not announced.
 */
@Injectable()
export class DisclosureEndingJob {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  @Interval(300_000)
  async run(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const ending = await namedQuery<EndingGrant>(
        tx,
        `WITH announced AS (
           UPDATE police_node_grant g SET ending_announced_at = :now
            WHERE g.revoked_at IS NULL AND g.ending_announced_at IS NULL
              AND g.until_at > :now AND g.until_at <= :soon
            RETURNING g.match_request_id, g.grantor_organisation_id, g.grantee_organisation_id, g.node_id, g.until_at)
         SELECT a.grantor_organisation_id AS grantor, a.grantee_organisation_id AS grantee, r.decided_by,
                m.reference, a.node_id AS grantor_node,
                CASE WHEN m.first_node_id = a.node_id THEN m.second_node_id ELSE m.first_node_id END AS grantee_node,
                a.until_at
           FROM announced a
           JOIN police_match_request r ON r.id = a.match_request_id
           JOIN police_match m ON m.id = r.match_id
          ORDER BY a.until_at`,
        { now, soon: new Date(now.getTime() + DISCLOSURE_ENDING_NOTICE_DAYS * 86_400_000) },
      );
      for (const g of ending) {
        const until = new Date(g.until_at).toISOString();
        if (g.decided_by) {
          await this.notifier.send(
            tx,
            { organisationId: g.grantor, userIds: [g.decided_by] },
            {
              kind: 'police.disclosure.ending',
              subjectType: 'PoliceMatch',
              subjectId: g.grantor_node,
              message: `Your force's disclosure under match reference ${g.reference} ends at ${until}.`,
            },
          );
        }
        await this.notifier.send(
          tx,
          { organisationId: g.grantee, teamId: await cseTeamOf(tx, g.grantee), roles: CSE_UNIT_ROLES },
          {
            kind: 'police.disclosure.ending',
            subjectType: 'PoliceMatch',
            subjectId: g.grantee_node,
            message: `The disclosure to your force under match reference ${g.reference} ends at ${until}.`,
          },
        );
      }
      return ending.length;
    });
  }
}
