import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems, NoBodyDto, UuidParamPipe } from '@app/platform';
import { DashboardService } from './dashboard.service';
import { DashboardDto, DashboardQuery, ExportQuery, TimelineDto } from './oversight.dto';
import {
  HeldWorkPage,
  ResponsibilityHistoryDto,
  ResponsibilityHistoryQuery,
  ResponsibilityQuery,
} from './inspection.dto';
import { ResponsibilityService } from './responsibility.service';
import { TimelineService } from './timeline.service';

const uuid = new UuidParamPipe();

@ApiTags('oversight')
@ApiBearerAuth()
@Controller('oversight')
export class OversightController {
  constructor(
    private readonly timelines: TimelineService,
    private readonly dashboards: DashboardService,
    private readonly responsibility: ResponsibilityService,
  ) {}

  @Get('children/:id/timeline')
  @RequirePermission('read', 'OversightTimeline')
  @ApiOperation({
    summary: 'Who knew what, and when, about one child (inspectors, data protection officers, review leads)',
    description:
      'Every concern, referral move and decision (who and why), request and answer, missed deadline and escalation ' +
      '(who was told, who read it), in time order; and which organisations and roles opened the record.',
  })
  @ApiOkResponse({ type: TimelineDto })
  @ApiProblems([404, 'No such child, or not one you may see.'])
  timeline(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<TimelineDto> {
    return this.timelines.timeline(ctx, id);
  }

  @Post('children/:id/timeline/exports')
  @HttpCode(200)
  @RequirePermission('read', 'OversightTimeline')
  @ApiOperation({
    summary: 'Export the timeline as CSV or PDF: its SHA-256 recorded, the audit-chain head named in it',
    description:
      'Headers: X-Export-Id, X-Content-SHA256, X-Audit-Head (`<sealSeq>:<hash>`). Check the chain later with ' +
      '`npm run audit:verify -- --anchor <X-Audit-Head>`; the export is itself an audit event carrying its hash.',
  })
  @ApiProduces('text/csv', 'application/pdf')
  @ApiBody({ required: false, type: NoBodyDto, description: 'Nothing: the format is the `format` query parameter.' })
  @ApiOkResponse({
    description: 'The document.',
    content: {
      'text/csv': { schema: { type: 'string', maxLength: 100_000_000 } },
      'application/pdf': { schema: { type: 'string', format: 'binary', maxLength: 100_000_000 } },
    },
  })
  @ApiProblems([404, 'No such child, or not one you may see.'])
  async export(
    @Body() _none: NoBodyDto,
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Query() q: ExportQuery,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const out = await this.timelines.export(ctx, id, q.format);
    res.header('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf');
    res.header('Content-Disposition', `attachment; filename="timeline-${out.id}.${q.format}"`);
    res.header('Cache-Control', 'no-store');
    res.header('X-Export-Id', out.id);
    res.header('X-Content-SHA256', out.sha256);
    if (out.auditHead) res.header('X-Audit-Head', out.auditHead);
    res.status(200).send(out.body);
  }

  @Get('dashboard')
  @RequirePermission('read', 'OversightDashboard')
  @ApiOperation({
    summary: "Overdue and due-soon work by organisation, team and clock, and timeliness: within the viewer's scope",
  })
  @ApiOkResponse({ type: DashboardDto })
  dashboard(@CurrentAccess() ctx: AccessContext, @Query() q: DashboardQuery): Promise<DashboardDto> {
    return this.dashboards.dashboard(ctx, {
      dueSoonHours: q.dueSoonHours ?? 24,
      sinceDays: q.sinceDays ?? 90,
    });
  }

  @Get('responsibility')
  @RequirePermission('read', 'ResponsibilityHistory')
  @ApiOperation({
    summary: 'Whose was the work at a given moment: the clocks each team and person held then, overdue or not',
    description:
      'For a past date (`at`), every clock running then, with the organisation, team and person that held it, ' +
      'whether it was overdue, who had been told (escalation levels) and what became of it. Within what the ' +
      'viewer may see: inspectors and review leads every organisation, managers and DPOs their own.',
  })
  @ApiOkResponse({ type: HeldWorkPage })
  @ApiProblems([400, 'A filter is malformed, or `at` is in the future (named in the problem).'])
  heldAt(@CurrentAccess() ctx: AccessContext, @Query() q: ResponsibilityQuery): Promise<HeldWorkPage> {
    return this.responsibility.heldAt(ctx, q);
  }

  @Get('responsibility/history')
  @RequirePermission('read', 'ResponsibilityHistory')
  @ApiOperation({
    summary: "A team's or person's overdue history over a period, by clock (for supervision, not blame)",
    description:
      'Counts per holder and clock of the work held in [from, to): held, went overdue, met in time, met late, ' +
      'cancelled, still open, escalated at level 1 and 2.',
  })
  @ApiOkResponse({ type: ResponsibilityHistoryDto })
  @ApiProblems([400, 'from/to malformed, not in order or more than 366 days apart (named in the problem).'])
  history(
    @CurrentAccess() ctx: AccessContext,
    @Query() q: ResponsibilityHistoryQuery,
  ): Promise<ResponsibilityHistoryDto> {
    return this.responsibility.history(ctx, q);
  }
}
