import { applyDecorators, Controller, Get, Headers, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems } from '@app/platform';
import {
  InspectionConcernPage,
  InspectionConcernQuery,
  InspectionReferralPage,
  InspectionReferralQuery,
  InspectionRequestPage,
  InspectionRequestQuery,
} from './inspection.dto';
import { InspectionService } from './inspection.service';

const PURPOSE = 'x-purpose-of-use';

/** Every inspection list: the purpose declared, read-only, scoped and paged. */
const InspectionList = (summary: string) =>
  applyDecorators(
    RequirePermission('read', 'InspectionList'),
    ApiOperation({
      summary,
      description:
        'Inspectors only, read-only, across every organisation of the partnership. Declare the purpose: ' +
        '`X-Purpose-Of-Use: inspection` (recorded with every page read, with every child it names). A restricted ' +
        "child's work is not listed; text a police force wrote is withheld and named in `withheld`.",
    }),
    ApiHeader({
      name: 'X-Purpose-Of-Use',
      required: true,
      description: 'Why you are reading: inspection, the only purpose these lists answer.',
      schema: { type: 'string', enum: ['inspection'] },
    }),
    ApiProblems([400, 'A filter is malformed, or the purpose is not declared as inspection (named in the problem).']),
  );

/** The purpose must be declared, not defaulted: an inspector says why before reading lists. */
const declared = (header: unknown): boolean => header !== undefined;

@ApiTags('oversight')
@ApiBearerAuth()
@Controller('oversight/inspection')
export class InspectionController {
  constructor(private readonly inspection: InspectionService) {}

  @Get('referrals')
  @InspectionList("Referrals across the partnership: an organisation's inbox (received) or what it sent, newest first")
  @ApiOkResponse({ type: InspectionReferralPage })
  referrals(
    @CurrentAccess() ctx: AccessContext,
    @Headers(PURPOSE) purpose: unknown,
    @Query() q: InspectionReferralQuery,
  ): Promise<InspectionReferralPage> {
    return this.inspection.referrals(ctx, q, declared(purpose));
  }

  @Get('concerns')
  @InspectionList('Concerns logged across the partnership, newest first, with the decision on each')
  @ApiOkResponse({ type: InspectionConcernPage })
  concerns(
    @CurrentAccess() ctx: AccessContext,
    @Headers(PURPOSE) purpose: unknown,
    @Query() q: InspectionConcernQuery,
  ): Promise<InspectionConcernPage> {
    return this.inspection.concerns(ctx, q, declared(purpose));
  }

  @Get('information-requests')
  @InspectionList('Information requests across the partnership: received or sent by an organisation, newest first')
  @ApiOkResponse({ type: InspectionRequestPage })
  requests(
    @CurrentAccess() ctx: AccessContext,
    @Headers(PURPOSE) purpose: unknown,
    @Query() q: InspectionRequestQuery,
  ): Promise<InspectionRequestPage> {
    return this.inspection.requests(ctx, q, declared(purpose));
  }

  @Get('decisions')
  @InspectionList('Decisions to share or not (disclosed or declined, with the reasons), latest first')
  @ApiOkResponse({ type: InspectionRequestPage })
  decisions(
    @CurrentAccess() ctx: AccessContext,
    @Headers(PURPOSE) purpose: unknown,
    @Query() q: InspectionRequestQuery,
  ): Promise<InspectionRequestPage> {
    return this.inspection.requests(ctx, q, declared(purpose), true);
  }
}
