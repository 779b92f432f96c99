import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type AccessContext, rolesAllowed } from '@app/access';
import { Disclosures, Notifier, SharedRecord } from '@app/casework';
import type { Page } from '@app/platform';
import type { GrantDto } from './sharing.dto';

const GRANTEE_READERS = rolesAllowed('read', 'SharingGrant');

/** The time-limited grants that disclosures become: listed, and revoked by the grantor. */
@Injectable()
export class GrantsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly disclosures: Disclosures,
    private readonly notifier: Notifier,
  ) {}

  async grants(ctx: AccessContext, limit: number, cursor?: string): Promise<Page<GrantDto>> {
    return this.db.transaction(async (tx) => {
      const page = await this.disclosures.list(tx, ctx, limit, cursor);
      await this.record.recordList(tx, ctx, 'sharing_grant.list', 'SharingGrant', page.data, {});
      return page;
    });
  }

  /** Revocation stops access at once: what a grant opens is computed from the live grants themselves. */
  async revoke(ctx: AccessContext, grantId: string, reason: string): Promise<GrantDto> {
    return this.db.transaction(async (tx) => {
      const { granteeName, ...grant } = await this.disclosures.revoke(tx, ctx, grantId, reason);
      await this.notifier.send(
        tx,
        { organisationId: grant.granteeOrganisationId, roles: GRANTEE_READERS },
        {
          kind: 'grant.revoked',
          subjectType: 'SharingGrant',
          subjectId: grantId,
          message: 'A disclosure to your organisation was revoked.',
        },
      );
      await this.record.addEntry(tx, ctx, grant.childId, {
        category: 'decision',
        summary: `Revoked a disclosure to ${granteeName}.`,
        shareable: false,
      });
      await this.record.recordStep(tx, ctx, 'sharing_grant.revoke', 'SharingGrant', [grantId], grant.childId, {
        reason,
      });
      return grant;
    });
  }
}
