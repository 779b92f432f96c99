import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems, Clock, DomainError, londonDateString } from '@app/platform';
import { ANNEX_A_LISTS } from './annex-a';
import { AnnexAService } from './annex-a.service';
import { AnnexAQuery, CensusQuery } from './childrens-services.dto';
import { CinCensusService } from './cin-census.service';

@ApiTags('returns')
@ApiBearerAuth()
@Controller('returns')
export class ReturnsController {
  constructor(
    private readonly census: CinCensusService,
    private readonly annexA: AnnexAService,
    private readonly clock: Clock,
  ) {}

  @Get('cin-census')
  @RequirePermission('read', 'StatutoryReturn')
  @Header('Content-Type', 'application/xml; charset=utf-8')
  @ApiProduces('application/xml')
  @ApiOperation({
    summary: "The DfE Children in Need census of the caller's council, as XML",
    description:
      'The collection year (2026: 1 April 2025 to 31 March 2026). Validated against the DfE rules first: any error ' +
      'refuses the whole return (422) naming each rule and child. Every child named is on their access log.',
  })
  @ApiResponse({
    status: 200,
    description: 'The census XML.',
    content: { 'application/xml': { schema: { type: 'string', maxLength: 200_000_000 } } },
  })
  @ApiProblems([422, 'CIN_CENSUS.INVALID: `errors` lists each rule broken, with the child.'])
  cinCensus(@CurrentAccess() ctx: AccessContext, @Query() q: CensusQuery): Promise<string> {
    return this.census.census(ctx, q.year);
  }

  @Get('annex-a')
  @RequirePermission('read', 'StatutoryReturn')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: "One of Ofsted's Annex A lists (1-7) of the caller's council, as CSV",
    description:
      'The six months before `at` (default today), with the published column order and answer lists: ' +
      Object.entries(ANNEX_A_LISTS)
        .map(([n, l]) => `${n} ${l.name}`)
        .join(', ') +
      '. Every child named is on their access log. docs/domain.md says what each list holds and what is approximated.',
  })
  @ApiResponse({
    status: 200,
    description: 'The list as CSV (header row, then one row per item; dates DD/MM/YYYY).',
    headers: {
      'Content-Disposition': {
        description: 'attachment; the file name names the list and the day.',
        schema: { type: 'string', maxLength: 200 },
      },
    },
    content: { 'text/csv': { schema: { type: 'string', maxLength: 200_000_000 } } },
  })
  @ApiProblems([400, '`at` in the future, or `list` not 1-7.'])
  async annexAList(
    @CurrentAccess() ctx: AccessContext,
    @Query() q: AnnexAQuery,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    const today = londonDateString(this.clock.now());
    const at = q.at ?? today;
    if (at > today) throw DomainError.validation([{ field: 'at', message: 'at is in the future' }]);
    const out = await this.annexA.list(ctx, q.list, at);
    res.header('Content-Disposition', `attachment; filename="${out.fileName}"`);
    return out.csv;
  }
}
