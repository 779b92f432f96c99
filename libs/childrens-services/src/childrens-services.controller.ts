import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
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
  AuthoriseAssessmentDto,
  CaseListQuery,
  CasePage,
  CaseView,
  CloseCaseDto,
  ConferenceDto,
  ConveneStrategyDto,
  CreateCaseDto,
  EndLookedAfterDto,
  EndPlanDto,
  HoldStrategyDto,
  OpenAssessmentDto,
  ReallocateCaseDto,
  S47OutcomeDto,
  StartCinPlanDto,
  StartLookedAfterDto,
} from './childrens-services.dto';
import { ChildrensServicesService } from './childrens-services.service';

const uuid = new UuidParamPipe();
const IF_MATCH = 'The version of the record from the case you read; 412 if stale.';

/** Children's services' statutory process, one route per step; each answers the whole case. */
@ApiTags('childrens-services')
@ApiBearerAuth()
@Controller('cs')
export class ChildrensServicesController {
  constructor(private readonly cs: ChildrensServicesService) {}

  @Post('cases')
  @Idempotent()
  @RequirePermission('create', 'CsCase')
  @ApiOperation({
    summary: "Open a children in need case (from a MASH referral's decision, or directly)",
    description:
      'With referralId: the referral must be decided S17_ASSESSMENT, STRATEGY_DISCUSSION or IMMEDIATE_PROTECTION; ' +
      'its receipt date is the referral date, and a strategy discussion is convened for the last two.',
  })
  @ApiCreatedResponse({ type: CaseView, headers: { ETag: ETAG_HEADER } })
  @ApiProblems(
    [409, 'CS.REFERRAL_NOT_FOR_CASE or CS.REFERRAL_HAS_CASE.'],
    [404, 'No such child or referral you may see.'],
  )
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateCaseDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const c = await this.cs.createCase(ctx, dto);
    res.header('Location', `/api/v1/cs/cases/${c.id}`);
    res.header('ETag', etag(c.version));
    return c;
  }

  @Get('cases')
  @RequirePermission('read', 'CsCase')
  @ApiOperation({
    summary: "A caseload: the cases allocated to me (default), my team's or the council's, newest referral first",
    description:
      'Open cases unless `status=CLOSED`; filter by worker, child or overdue. Only cases the caller could open ' +
      'are listed (the same scope as GET /cs/cases/{id}); the page is on the access log of each child it names.',
  })
  @ApiOkResponse({ type: CasePage })
  @ApiProblems([400, '`scope=team` for someone in no team, or a filter that is not valid (named).'])
  list(@CurrentAccess() ctx: AccessContext, @Query() q: CaseListQuery): Promise<CasePage> {
    return this.cs.listCases(ctx, q);
  }

  @Get('cases/:id')
  @RequirePermission('read', 'CsCase')
  @ApiOperation({ summary: 'A case with its assessments, strategy discussions, s47 enquiries, conferences and plans' })
  @ApiOkResponse({ type: CaseView, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such case, or not one you may see.'])
  async get(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const c = await this.cs.getCase(ctx, id);
    res.header('ETag', etag(c.version));
    return c;
  }

  @Post('cases/:id/closure')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'Close the case with a reason RC1-RC9 (its open work ended first)' })
  @ApiIfMatch(true, "The case's ETag; 412 if stale.")
  @ApiOkResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ILLEGAL_TRANSITION (already closed) or CS.CASE_HAS_OPEN_WORK.'], [404, 'No such case.'])
  close(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: CloseCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CaseView> {
    return this.cs.closeCase(ctx, id, versionFromIfMatch(ifMatch), dto);
  }

  @Post('cases/:id/reallocation')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('reallocate', 'CsCase')
  @ApiOperation({
    summary: 'A team manager reallocates the case to another social worker (and their team, or a team named)',
    description:
      "The case's allocation changes and its running clocks follow it (assessment, strategy discussion, ICPC, " +
      'review conference); the reason goes to the audit log; the new worker is told.',
  })
  @ApiIfMatch(true, "The case's ETag; 412 if stale.")
  @ApiOkResponse({ type: CaseView, headers: { ETag: ETAG_HEADER } })
  @ApiProblems(
    [400, 'allocatedWorkerId not an active social worker of the council, or teamId not its team (named).'],
    [409, 'CS.CASE_CLOSED.'],
    [404, 'No such case.'],
  )
  async reallocate(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: ReallocateCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CaseView> {
    const c = await this.cs.reallocateCase(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(c.version));
    return c;
  }

  @Post('cases/:id/assessments')
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'Start a child and family assessment: due 45 working days from the referral' })
  @ApiCreatedResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ASSESSMENT_OPEN or CS.CASE_CLOSED.'], [404, 'No such case.'])
  openAssessment(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string, @Body() dto: OpenAssessmentDto) {
    return this.cs.openAssessment(ctx, id, dto);
  }

  @Post('assessments/:id/authorisation')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('authorise', 'CsCase')
  @ApiOperation({
    summary: 'A team manager authorises the assessment: outcome, primary need, factors',
    description: 'STRATEGY_DISCUSSION convenes one (due within the local timescale).',
  })
  @ApiIfMatch(true, IF_MATCH)
  @ApiOkResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ILLEGAL_TRANSITION: already authorised.'], [404, 'No such assessment.'])
  authorise(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: AuthoriseAssessmentDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CaseView> {
    return this.cs.authoriseAssessment(ctx, id, versionFromIfMatch(ifMatch), dto);
  }

  @Post('cases/:id/strategy-discussions')
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'Convene a strategy discussion (significant harm suspected)' })
  @ApiCreatedResponse({ type: CaseView })
  @ApiProblems([409, 'CS.STRATEGY_CONVENED or CS.CASE_CLOSED.'], [404, 'No such case.'])
  convene(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string, @Body() dto: ConveneStrategyDto) {
    return this.cs.conveneStrategy(ctx, id, dto);
  }

  @Post('strategy-discussions/:id/outcome')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({
    summary: 'Record the strategy discussion held: attendees (at least council, police, health) and outcome',
    description:
      'Attending organisations work with the child from then on; S47_* starts the s47 enquiry and its ICPC clock.',
  })
  @ApiIfMatch(true, IF_MATCH)
  @ApiOkResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ILLEGAL_TRANSITION: already held.'], [404, 'No such strategy discussion.'])
  hold(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: HoldStrategyDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CaseView> {
    return this.cs.holdStrategy(ctx, id, versionFromIfMatch(ifMatch), dto);
  }

  @Post('s47/:id/outcome')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'The outcome of a section 47 enquiry: NFA, CIN or ICPC_REQUIRED' })
  @ApiIfMatch(true, IF_MATCH)
  @ApiOkResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ILLEGAL_TRANSITION: already completed.'], [404, 'No such enquiry.'])
  s47Outcome(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: S47OutcomeDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CaseView> {
    return this.cs.s47Outcome(ctx, id, versionFromIfMatch(ifMatch), dto);
  }

  @Post('cases/:id/conferences')
  @Idempotent()
  @RequirePermission('create', 'CsConference')
  @ApiOperation({
    summary: 'Record a child protection conference (the chair): initial (PLAN, CIN, NFA) or review (CONTINUE, END)',
    description:
      'PLAN starts a child protection plan (category, lead social worker; the attending organisations are its core group); ' +
      'its first review is due 3 months after, then every 6 months. An ICPC after its target needs lateReason. ' +
      "A review changes the active plan (continues it, its category, its next review; or ends it): it needs If-Match of the plan's version.",
  })
  @ApiIfMatch(
    false,
    'A review (kind REVIEW): the version of the active child protection plan from the case you read; 428 without it, 412 if stale. An initial conference sends none.',
  )
  @ApiCreatedResponse({ type: CaseView })
  @ApiProblems(
    [409, 'CS.NO_ICPC_REQUIRED, CS.NO_ACTIVE_PLAN or CS.CASE_CLOSED.'],
    [404, 'No such case.'],
    [412, "A review's If-Match is not the plan's version."],
    [428, 'A review without If-Match.'],
  )
  conference(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: ConferenceDto,
    @Headers('if-match') ifMatch: string | undefined,
  ) {
    const planVersion = dto.kind === 'REVIEW' ? versionFromIfMatch(ifMatch) : undefined;
    return this.cs.recordConference(ctx, id, dto, planVersion);
  }

  @Post('cases/:id/cin-plans')
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'Start a child in need plan' })
  @ApiCreatedResponse({ type: CaseView })
  @ApiProblems([409, 'CS.PLAN_ACTIVE or CS.CASE_CLOSED.'], [404, 'No such case.'])
  cinPlan(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string, @Body() dto: StartCinPlanDto) {
    return this.cs.startCinPlan(ctx, id, dto);
  }

  @Post('plans/:id/end')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({
    summary: 'End a child in need plan with a reason (a child protection plan ends at a review conference)',
  })
  @ApiIfMatch(true, IF_MATCH)
  @ApiOkResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ILLEGAL_TRANSITION or CS.PLAN_ENDS_AT_CONFERENCE.'], [404, 'No such plan.'])
  endPlan(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: EndPlanDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CaseView> {
    return this.cs.endPlan(ctx, id, versionFromIfMatch(ifMatch), dto);
  }

  @Post('cases/:id/looked-after')
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'The child became looked after (the looked-after flag, from this date)' })
  @ApiCreatedResponse({ type: CaseView })
  @ApiProblems([409, 'CS.LOOKED_AFTER: already looked after.'], [404, 'No such case.'])
  lookedAfter(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string, @Body() dto: StartLookedAfterDto) {
    return this.cs.startLookedAfter(ctx, id, dto);
  }

  @Post('looked-after/:id/end')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'CsCase')
  @ApiOperation({ summary: 'The child ceased to be looked after' })
  @ApiIfMatch(true, IF_MATCH)
  @ApiOkResponse({ type: CaseView })
  @ApiProblems([409, 'CS.ILLEGAL_TRANSITION: already ended.'], [404, 'No such period.'])
  endLookedAfter(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: EndLookedAfterDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CaseView> {
    return this.cs.endLookedAfter(ctx, id, versionFromIfMatch(ifMatch), dto);
  }
}
