import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems } from '@app/platform';
import { CensusQuery } from './childrens-services.dto';
import { CinCensusService } from './cin-census.service';

@ApiTags('returns')
@ApiBearerAuth()
@Controller('returns')
export class ReturnsController {
  constructor(private readonly census: CinCensusService) {}

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
}
