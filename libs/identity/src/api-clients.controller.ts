import { Body, Controller, Get, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, type AppAbility, CurrentAbility, CurrentAccess, RequirePermission } from '@app/access';
import {
  ApiIfMatch,
  ApiProblems,
  ETAG_HEADER,
  etag,
  PageQuery,
  UuidParamPipe,
  versionFromIfMatch,
} from '@app/platform';
import { ApiClientsService } from './api-clients.service';
import { ApiClientDto, ApiClientPage, UpdateApiClientDto } from './identity.dto';

@ApiTags('api clients')
@ApiBearerAuth()
@Controller('api-clients')
export class ApiClientsController {
  constructor(private readonly clients: ApiClientsService) {}

  @Get()
  @RequirePermission('read', 'ApiClient')
  @ApiOperation({ summary: "My organisation's partner-system clients (organisation administrators)" })
  @ApiOkResponse({ type: ApiClientPage })
  list(@CurrentAbility() ability: AppAbility, @Query() query: PageQuery): Promise<ApiClientPage> {
    return this.clients.list(ability, query.limit ?? 50, query.cursor);
  }

  @Get(':id')
  @RequirePermission('read', 'ApiClient')
  @ApiOperation({ summary: "One of my organisation's partner-system clients" })
  @ApiOkResponse({ type: ApiClientDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such client in your organisation.'])
  async get(
    @CurrentAbility() ability: AppAbility,
    @Param('id', new UuidParamPipe()) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ApiClientDto> {
    const client = await this.clients.get(ability, id);
    res.header('ETag', etag(client.version));
    return client;
  }

  @Patch(':id')
  @RequirePermission('update', 'ApiClient')
  @ApiOperation({
    summary: 'Deactivate (or reactivate) a partner-system client',
    description:
      'Deactivating refuses new tokens and ends the ones the client holds: at once on this instance, within ' +
      'TOKEN_REVOCATION_POLL_SECONDS on the others. Reactivating does not revive old tokens. Audited.',
  })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: ApiClientDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such client in your organisation.'])
  async update(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', new UuidParamPipe()) id: string,
    @Body() dto: UpdateApiClientDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ApiClientDto> {
    const client = await this.clients.update(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(client.version));
    return client;
  }
}
