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
  CorrectSupportReviewDto,
  CreateSupportPlanDto,
  EditSupportReviewDto,
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
const NO_REVIEW = 'No such plan, or not yours; or no such review of it.';

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

  @Patch(':id/reviews/:reviewId')
  @RequirePermission('update', 'SupportPlan')
  @ApiOperation({
    summary: "A recorded review's outcome cannot be edited (always 409)",
    description:
      "Review outcomes are sealed once recorded. A correction is a new review entry naming the one it corrects, with a reason: POST ':id/reviews/:reviewId/corrections'.",
  })
  @ApiOkResponse({ type: SupportPlanDto, description: 'Never: the answer is always 409 (or 404).' })
  @ApiProblems([404, NO_REVIEW], [409, 'SUPPORT_REVIEW.SEALED: a review is corrected, never edited.'])
  editReview(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Param('reviewId', uuid) reviewId: string,
    @Body() _dto: EditSupportReviewDto,
  ): Promise<SupportPlanDto> {
    return this.plans.refuseEdit(ctx, id, reviewId);
  }

  @Post(':id/reviews/:reviewId/corrections')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'SupportPlan')
  @ApiOperation({
    summary: "Correct a recorded review's outcome (a new entry naming it; the original stays)",
    description: 'The review clock is not touched. A review is corrected once: correct the latest correction.',
  })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: SupportPlanDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems(
    [404, NO_REVIEW],
    [409, `${ENDED} Or SUPPORT_REVIEW.CORRECTED: corrected already (correct the correction).`],
  )
  async correctReview(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Param('reviewId', uuid) reviewId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: CorrectSupportReviewDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SupportPlanDto> {
    const plan = await this.plans.correctReview(ctx, id, reviewId, versionFromIfMatch(ifMatch), dto);
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
