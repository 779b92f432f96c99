import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AccessContext, CurrentAccess, Public, RequirePermission } from '@app/access';
import { ApiIfMatch, ApiProblems, Idempotent, UuidParamPipe, versionFromIfMatch } from '@app/platform';
import {
  CreateReportDto,
  FollowUpDto,
  FollowUpMessageDto,
  NoticeListQuery,
  NoticePage,
  ReportDto,
  ReporterView,
  ReportListQuery,
  ReportPage,
  ReportReceipt,
  ReportReplyDto,
  ReportTransitionDto,
} from './whistleblowing.dto';
import { WhistleblowingService } from './whistleblowing.service';

const uuid = new UuidParamPipe();

@ApiTags('whistleblowing')
@Controller('whistleblowing/reports')
export class WhistleblowingController {
  constructor(private readonly reports: WhistleblowingService) {}

  // Public and anonymous. No Idempotency-Key: a replayed answer would have to keep the one-time
  // secret, and a retry costs only a second reference.
  @Post()
  @Public()
  @ApiOperation({
    summary: 'Report a concern about practice to the independent inspectorate (anyone, signed in or not)',
    description:
      'Nothing that identifies you is kept: no account, no address, no user agent. Keep the reference and the ' +
      'secret: they are the only way back to the report. The organisation concerned never reads it.',
  })
  @ApiCreatedResponse({ type: ReportReceipt })
  @ApiProblems([429, 'Too many reports this hour, from everybody together; see Retry-After.'])
  create(@Body() dto: CreateReportDto): Promise<ReportReceipt> {
    return this.reports.create(dto);
  }

  @Post('follow-up')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'The reporter reads the status, the outcome and the replies (reference and secret)' })
  @ApiOkResponse({ type: ReporterView })
  @ApiProblems(
    [404, 'WHISTLEBLOWING.NOT_FOUND: no report matches this reference and secret (the same for both).'],
    [429, 'Too many wrong secrets for this reference this hour; see Retry-After.'],
  )
  followUp(@Body() dto: FollowUpDto): Promise<ReporterView> {
    return this.reports.followUp(dto);
  }

  @Post('follow-up/messages')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'The reporter adds information (reference and secret)' })
  @ApiOkResponse({ type: ReporterView })
  @ApiProblems(
    [404, 'WHISTLEBLOWING.NOT_FOUND: no report matches this reference and secret (the same for both).'],
    [409, 'WHISTLEBLOWING.CLOSED: the report is closed.'],
    [429, 'Too many wrong secrets for this reference this hour; see Retry-After.'],
  )
  addInformation(@Body() dto: FollowUpMessageDto): Promise<ReporterView> {
    return this.reports.addInformation(dto);
  }

  @Get()
  @ApiBearerAuth()
  @RequirePermission('read', 'WhistleblowingReport')
  @ApiOperation({ summary: 'The reports made to my inspectorate, newest first (whistleblowing officers)' })
  @ApiOkResponse({ type: ReportPage })
  list(@CurrentAccess() ctx: AccessContext, @Query() q: ReportListQuery): Promise<ReportPage> {
    return this.reports.list(ctx, q);
  }

  @Get(':id')
  @ApiBearerAuth()
  @RequirePermission('read', 'WhistleblowingReport')
  @ApiOperation({ summary: 'A report with everything said on it' })
  @ApiOkResponse({ type: ReportDto })
  @ApiProblems([404, 'No such report, or not one made to your inspectorate.'])
  get(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<ReportDto> {
    return this.reports.get(ctx, id);
  }

  @Post(':id/transitions')
  @Idempotent()
  @ApiBearerAuth()
  @HttpCode(200)
  @RequirePermission('update', 'WhistleblowingReport')
  @ApiIfMatch(true, 'The version you last read.')
  @ApiOperation({
    summary: 'Acknowledge (stops the 2-working-day clock), assign to an officer, or close with an outcome',
    description:
      'received -> acknowledged -> assigned -> closed (acknowledged may close). Anything else is 409 naming the allowed moves.',
  })
  @ApiOkResponse({ type: ReportDto })
  @ApiProblems(
    [404, 'No such report, or not one made to your inspectorate.'],
    [409, 'WHISTLEBLOWING.ILLEGAL_TRANSITION: names the allowed moves.'],
  )
  transition(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: ReportTransitionDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<ReportDto> {
    return this.reports.transition(ctx, id, dto, versionFromIfMatch(ifMatch));
  }

  @Post(':id/replies')
  @Idempotent()
  @ApiBearerAuth()
  @HttpCode(200)
  @RequirePermission('update', 'WhistleblowingReport')
  @ApiOperation({ summary: 'Reply to the reporter, tell the organisation concerned what you decide, or note' })
  @ApiOkResponse({ type: ReportDto })
  @ApiProblems(
    [404, 'No such report, or not one made to your inspectorate.'],
    [409, 'WHISTLEBLOWING.CLOSED: the report is closed.'],
  )
  reply(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: ReportReplyDto,
  ): Promise<ReportDto> {
    return this.reports.reply(ctx, id, dto);
  }
}

@ApiTags('whistleblowing')
@ApiBearerAuth()
@Controller('whistleblowing/notices')
export class WhistleblowingNoticesController {
  constructor(private readonly reports: WhistleblowingService) {}

  @Get()
  @RequirePermission('read', 'WhistleblowingNotice')
  @ApiOperation({
    summary: "The organisation concerned reads the inspectorate's notices to it (its data protection officer)",
    description:
      'Only what the whistleblowing officer chose to tell the organisation, newest first; never the report, its ' +
      "reference, the reporter's words or anything that could identify the reporter.",
  })
  @ApiOkResponse({ type: NoticePage })
  list(@CurrentAccess() ctx: AccessContext, @Query() q: NoticeListQuery): Promise<NoticePage> {
    return this.reports.notices(ctx, q);
  }
}
