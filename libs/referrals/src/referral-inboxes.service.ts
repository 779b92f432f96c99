import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AccessContext } from '@app/access';
import { SharedRecord } from '@app/casework';
import { Clock, type Page } from '@app/platform';
import { CHILD_ID, presentReferral, type ReferralView } from './referral-view';
import type { ReferralDto, ReferralListQuery } from './referrals.dto';
import { ReferralsRepository } from './referrals.repository';

/** Reading referrals: one by id, and the received (inbox) and sent lists, each read audited. */
@Injectable()
export class ReferralInboxesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReferralsRepository,
    private readonly record: SharedRecord,
    private readonly clock: Clock,
  ) {}

  async getReferral(ctx: AccessContext, id: string): Promise<ReferralView> {
    return this.db.transaction(async (tx) => {
      const view = await this.repo.view(tx, ctx, id, this.clock.now());
      // The child's access log shows this read even when the answer withholds the child's id.
      await this.record.recordStep(tx, ctx, 'referral.read', 'Referral', [id], view[CHILD_ID], {});
      return view;
    });
  }

  async inbox(ctx: AccessContext, q: ReferralListQuery): Promise<Page<ReferralDto>> {
    return this.list(ctx, q, 'inbox');
  }

  async sent(ctx: AccessContext, q: ReferralListQuery): Promise<Page<ReferralDto>> {
    return this.list(ctx, q, 'sent');
  }

  private async list(ctx: AccessContext, q: ReferralListQuery, box: 'inbox' | 'sent'): Promise<Page<ReferralDto>> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const page = await this.repo.listPage(tx, ctx, q, box, now);
      await this.record.recordList(tx, ctx, `referral.${box}`, 'Referral', page.data, { count: page.data.length });
      return { data: page.data.map(presentReferral), nextCursor: page.nextCursor };
    });
  }
}
