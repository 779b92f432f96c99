import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems, Idempotent, UuidParamPipe } from '@app/platform';
import {
  ConcernDecisionDto,
  ConcernDto,
  ConcernInboxQuery,
  ConcernPage,
  CreateConcernDto,
  CreateReferralDto,
  DecisionDto,
  ReferralDto,
  ReferralListQuery,
  ReferralPage,
  TransitionDto,
  TriageDto,
} from './referrals.dto';
import { ConcernsService } from './concerns.service';
import { ReferralInboxesService } from './referral-inboxes.service';
import { SubmitReferralService } from './submit-referral.service';
import { TransitionReferralService } from './transition-referral.service';
import { TriageAndDecisionService } from './triage-and-decision.service';

const uuid = new UuidParamPipe();

@ApiTags('concerns')
@ApiBearerAuth()
@Controller('concerns')
export class ConcernsController {
  constructor(private readonly concerns: ConcernsService) {}

  @Post()
  @Idempotent()
  @RequirePermission('create', 'Concern')
  @ApiOperation({
    summary: 'Log a concern about a child',
    description: "It lands in your organisation's safeguarding lead's inbox (DSL, MASH, CSE unit, safeguarding team).",
  })
  @ApiCreatedResponse({ type: ConcernDto })
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateConcernDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const concern = await this.concerns.createConcern(ctx, dto);
    res.header('Location', `/api/v1/concerns/${concern.id}`);
    return concern;
  }

  @Get('inbox')
  @RequirePermission('update', 'Concern')
  @ApiOperation({ summary: "My organisation's concerns awaiting a decision, most urgent first" })
  @ApiOkResponse({ type: ConcernPage })
  inbox(@CurrentAccess() ctx: AccessContext, @Query() q: ConcernInboxQuery): Promise<ConcernPage> {
    return this.concerns.concernInbox(ctx, q);
  }

  @Get(':id')
  @RequirePermission('read', 'Concern')
  @ApiOperation({ summary: 'A concern (its reporter, or the safeguarding lead)' })
  @ApiOkResponse({ type: ConcernDto })
  @ApiProblems([404, 'No such concern, or not one you may see.'])
  get(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<ConcernDto> {
    return this.concerns.getConcern(ctx, id);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'Concern')
  @ApiOperation({
    summary: 'Decide: no further action (with a reason) or monitor; to refer, send a referral naming it',
  })
  @ApiOkResponse({ type: ConcernDto })
  @ApiProblems([409, 'CONCERN.ALREADY_DECIDED: already decided.'])
  decide(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: ConcernDecisionDto,
  ): Promise<ConcernDto> {
    return this.concerns.decideConcern(ctx, id, dto);
  }
}

@ApiTags('referrals', 'machine API')
@ApiBearerAuth()
@Controller('referrals')
export class ReferralsController {
  constructor(
    private readonly submit: SubmitReferralService,
    private readonly inboxes: ReferralInboxesService,
    private readonly transitions: TransitionReferralService,
    private readonly decisions: TriageAndDecisionService,
  ) {}

  @Post()
  @Idempotent()
  @RequirePermission('create', 'Referral')
  @ApiOperation({
    summary: 'Refer a child to a team of another organisation',
    description:
      'The child by id, by a match reference, or by identifying details. Without consent, give the reason and the lawful basis. ' +
      'The receiver must decide within 1 working day (local settings may differ).',
  })
  @ApiCreatedResponse({ type: ReferralDto })
  @ApiProblems([
    422,
    "REFERRAL.RESTRICTED_CHILD: the child's record is restricted and no practitioner of the receiving " +
      'organisation is on its case team.',
  ])
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateReferralDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const referral = await this.submit.createReferral(ctx, dto);
    res.header('Location', `/api/v1/referrals/${referral.id}`);
    return referral;
  }

  @Get('inbox')
  @RequirePermission('receive', 'Referral')
  @ApiOperation({ summary: 'Referrals to my team (or organisation), most urgent first, then by due time' })
  @ApiOkResponse({ type: ReferralPage })
  inbox(@CurrentAccess() ctx: AccessContext, @Query() q: ReferralListQuery): Promise<ReferralPage> {
    return this.inboxes.inbox(ctx, q);
  }

  @Get('sent')
  @RequirePermission('create', 'Referral')
  @ApiOperation({ summary: 'Referrals my organisation sent, with their status and outcome' })
  @ApiOkResponse({ type: ReferralPage })
  sent(@CurrentAccess() ctx: AccessContext, @Query() q: ReferralListQuery): Promise<ReferralPage> {
    return this.inboxes.sent(ctx, q);
  }

  @Get(':id')
  @RequirePermission('read', 'Referral')
  @ApiOperation({ summary: 'A referral with its history (sender or receiver)' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiProblems([404, 'No such referral, or not one you may see.'])
  get(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<ReferralDto> {
    return this.inboxes.getReferral(ctx, id);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('read', 'Referral')
  @ApiOperation({
    summary:
      'Move a referral: ACKNOWLEDGED, ACCEPTED, DECLINED (reason), CLOSED by the receiver; WITHDRAWN (reason) by the sender',
    description:
      "Accepting opens the receiving organisation's involvement with the child. An illegal move is 409 naming the allowed ones.",
  })
  @ApiOkResponse({ type: ReferralDto })
  @ApiProblems(
    [409, 'REFERRAL.ILLEGAL_TRANSITION with `allowed`, e.g. when someone else accepted first.'],
    [422, 'REFERRAL.CHILD_REQUIRED: accepting a referral that names no child needs childId.'],
  )
  transition(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: TransitionDto,
  ): Promise<ReferralDto> {
    return this.transitions.transition(ctx, id, dto);
  }

  @Post(':id/triage')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('triage', 'Referral')
  @ApiOperation({
    summary: "Children's services triage: set the RAG (a change needs a reason); partner checks fall due by RAG",
  })
  @ApiOkResponse({ type: ReferralDto })
  @ApiProblems([409, 'REFERRAL.ALREADY_DECIDED: the referral already has an outcome.'])
  triage(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: TriageDto,
  ): Promise<ReferralDto> {
    return this.decisions.triage(ctx, id, dto);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('triage', 'Referral')
  @ApiOperation({ summary: "Children's services decision: one outcome, with reasons; the referrer is told" })
  @ApiOkResponse({ type: ReferralDto })
  @ApiProblems([409, 'REFERRAL.ALREADY_DECIDED: the referral already has an outcome.'])
  decide(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: DecisionDto,
  ): Promise<ReferralDto> {
    return this.decisions.decide(ctx, id, dto);
  }
}
