import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import {
  ApiIfMatch,
  ApiProblems,
  etag,
  ETAG_HEADER,
  Idempotent,
  UuidParamPipe,
  versionFromIfMatch,
} from '@app/platform';
import {
  AddSupportReviewDto,
  CreateSupportPlanDto,
  EndSupportPlanDto,
  SupportPlanDto,
  SupportPlanListQuery,
  SupportPlanPage,
  UpdateSupportPlanDto,
} from './support-plan.dto';
import { SupportPlanService } from './support-plan.service';

const uuid = new UuidParamPipe();
const NOT_YOURS = 'No such plan, or not yours: only its key worker and the service’s managers see it.';
const ENDED = 'SUPPORT_PLAN.ENDED: the support has ended.';

@ApiTags('therapeutic support')
@ApiBearerAuth()
@Controller('support-plans')
export class SupportPlanController {
  constructor(private readonly plans: SupportPlanService) {}

  @Post()
  @Idempotent()
  @RequirePermission('create', 'SupportPlan')
  @ApiOperation({
    summary: 'Refer a child or survivor you work with to therapeutic support (consent recorded)',
    description:
      'Names the service, who consented and when, the start, the key worker (default: you) and the months between ' +
      "reviews (default 3). No end date: support lasts as long as it is needed, past the 18th birthday. An adult's " +
      'own consent is required (consent.givenBy adult).',
  })
  @ApiCreatedResponse({ type: SupportPlanDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such child, or not one your organisation works with.'])
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateSupportPlanDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SupportPlanDto> {
    const plan = await this.plans.create(ctx, dto);
    res.header('Location', `/api/v1/support-plans/${plan.id}`);
    res.header('ETag', etag(plan.version));
    return plan;
  }

  @Get()
  @RequirePermission('read', 'SupportPlan')
  @ApiOperation({ summary: "The support plans I am key worker of (managers: all their organisation's)" })
  @ApiOkResponse({ type: SupportPlanPage })
  list(@CurrentAccess() ctx: AccessContext, @Query() q: SupportPlanListQuery): Promise<SupportPlanPage> {
    return this.plans.list(ctx, q);
  }

  @Get(':id')
  @RequirePermission('read', 'SupportPlan')
  @ApiOperation({ summary: 'A support plan, with its consent and reviews' })
  @ApiOkResponse({ type: SupportPlanDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, NOT_YOURS])
  async get(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SupportPlanDto> {
    const plan = await this.plans.get(ctx, id);
    res.header('ETag', etag(plan.version));
    return plan;
  }

  @Patch(':id')
  @RequirePermission('update', 'SupportPlan')
  @ApiOperation({ summary: 'Change the key worker, the service or the months between reviews' })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: SupportPlanDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, NOT_YOURS], [409, ENDED])
  async update(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: UpdateSupportPlanDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SupportPlanDto> {
    const plan = await this.plans.update(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(plan.version));
    return plan;
  }

  @Post(':id/reviews')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'SupportPlan')
  @ApiOperation({
    summary: 'Record a review and its outcome (the next review falls due an interval later)',
  })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: SupportPlanDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, NOT_YOURS], [409, ENDED])
  async review(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: AddSupportReviewDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SupportPlanDto> {
    const plan = await this.plans.addReview(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(plan.version));
    return plan;
  }

  @Post(':id/end')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'SupportPlan')
  @ApiOperation({ summary: "End the support: a reason and the person's own view are required" })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: SupportPlanDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, NOT_YOURS], [409, ENDED])
  async end(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: EndSupportPlanDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SupportPlanDto> {
    const plan = await this.plans.end(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(plan.version));
    return plan;
  }
}
