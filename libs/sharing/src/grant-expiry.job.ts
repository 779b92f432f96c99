import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rolesAllowed } from '@app/access';
import { Disclosures, Events, Notifier } from '@app/casework';
import { Clock } from '@app/platform';

/** Tells grantees, a day ahead, that a disclosure to them is about to lapse (once per grant). */
@Injectable()
export class GrantExpiryJob {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly disclosures: Disclosures,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  @Interval(300_000)
  async run(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const ending = await this.disclosures.announceEnding(tx, new Date(now.getTime() + 86_400_000));
      for (const g of ending) {
        const untilAt = new Date(g.untilAt).toISOString();
        await this.events.emit(
          tx,
          'grant.expiring',
          { grantId: g.id, grantorOrganisationId: g.grantorOrganisationId, classes: g.classes, untilAt },
          { organisationId: g.granteeOrganisationId },
        );
        await this.notifier.send(
          tx,
          { organisationId: g.granteeOrganisationId, roles: rolesAllowed('read', 'SharingGrant') },
          {
            kind: 'grant.expiring',
            subjectType: 'SharingGrant',
            subjectId: g.id,
            message: `A disclosure to your organisation ends at ${untilAt}.`,
          },
        );
      }
      return ending.length;
    });
  }
}
