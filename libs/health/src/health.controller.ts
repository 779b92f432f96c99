import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems } from '@app/platform';
import { LookupQuery, ProtectionLookupPage, ProtectionStatusDto, ProtectionStatusQuery } from './health.dto';
import { HealthService } from './health.service';

@ApiTags('health records')
@ApiBearerAuth()
@Controller('health/protection-status')
export class ProtectionStatusController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @RequirePermission('read', 'ProtectionStatus')
  @ApiOperation({
    summary: 'Is this child on a child protection plan or looked after, and which council do I call?',
    description:
      'One of four answers (on a child protection plan, looked after, on an unborn child protection plan, none ' +
      'known), the council and its contact point. Every look-up is recorded (send X-Purpose-Of-Use) and the council ' +
      'is told at once. Never reveals anything else of the child.',
  })
  @ApiOkResponse({ type: ProtectionStatusDto })
  @ApiProblems([400, 'nhsNumber is not a valid NHS number: the check that failed is named.'])
  lookUp(@CurrentAccess() ctx: AccessContext, @Query() q: ProtectionStatusQuery): Promise<ProtectionStatusDto> {
    return this.health.lookUp(ctx, q.nhsNumber);
  }

  @Get('lookups')
  @RequirePermission('read', 'ProtectionLookup')
  @ApiOperation({
    summary: "Who looked up my council's children: the latest 25, then the whole history by cursor",
  })
  @ApiOkResponse({ type: ProtectionLookupPage })
  lookups(@CurrentAccess() ctx: AccessContext, @Query() q: LookupQuery): Promise<ProtectionLookupPage> {
    return this.health.lookups(ctx, q);
  }
}
