import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AccessContext, type AppAbility, CurrentAbility, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems, Idempotent, UuidParamPipe } from '@app/platform';
import { RoleGrantDecisionDto, RoleGrantDto, RoleGrantListQuery, RoleGrantPage } from './identity.dto';
import { RoleGrantsService } from './role-grants.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('role-grants')
export class RoleGrantsController {
  constructor(private readonly grants: RoleGrantsService) {}

  @Get()
  @RequirePermission('read', 'RoleGrant')
  @ApiOperation({
    summary: "Roles asked for people of my organisation, waiting for (or given) a second administrator's decision",
  })
  @ApiOkResponse({ type: RoleGrantPage })
  list(@CurrentAbility() ability: AppAbility, @Query() query: RoleGrantListQuery): Promise<RoleGrantPage> {
    return this.grants.list(ability, query.limit ?? 50, query.cursor, query.status);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'RoleGrant')
  @ApiOperation({
    summary: 'Approve a role grant: the person holds the roles from their next login',
    description: 'Not by the administrator who asked for it, nor by the person it is for (403). Audited.',
  })
  @ApiOkResponse({ type: RoleGrantDto })
  @ApiProblems(
    [404, 'No such role grant in your organisation.'],
    [403, 'ROLE_GRANT.OWN_REQUEST or ROLE_GRANT.TO_SELF: your own request, or a grant to you.'],
    [409, 'ROLE_GRANT.ALREADY_DECIDED: already approved or rejected.'],
  )
  approve(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', new UuidParamPipe()) id: string,
    @Body() dto: RoleGrantDecisionDto,
  ): Promise<RoleGrantDto> {
    return this.grants.approve(ctx, id, dto.comment);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'RoleGrant')
  @ApiOperation({
    summary: 'Reject a role grant (or withdraw one you asked for)',
    description: 'Audited.',
  })
  @ApiOkResponse({ type: RoleGrantDto })
  @ApiProblems(
    [404, 'No such role grant in your organisation.'],
    [409, 'ROLE_GRANT.ALREADY_DECIDED: already approved or rejected.'],
  )
  reject(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', new UuidParamPipe()) id: string,
    @Body() dto: RoleGrantDecisionDto,
  ): Promise<RoleGrantDto> {
    return this.grants.reject(ctx, id, dto.comment);
  }
}
