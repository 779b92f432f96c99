import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { UuidParamPipe } from '@app/platform';
import { TimescalesAdmin } from './timescales-admin.service';
import { PutTimescalesDto, TimescalesDto } from './timescales.dto';

/** The ETag of an organisation's local values (a digest of them, not a version number). */
const VALUES_ETAG = {
  description: "A digest of the organisation's local values: send it back in If-Match to change them.",
  schema: { type: 'string', pattern: '^"[0-9a-f]{20}"$', maxLength: 22, example: '"9f86d081884c7d659a2f"' },
} as const;

const uuid = new UuidParamPipe();

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:id/timescales')
export class TimescalesController {
  constructor(private readonly admin: TimescalesAdmin) {}

  @Get()
  @RequirePermission('read', 'Timescales')
  @ApiOperation({
    summary: "My organisation's timescales (organisation administrators)",
    description: 'Every statutory and local clock: its default, unit, bounds and meaning, and the value in force here.',
  })
  @ApiOkResponse({ type: TimescalesDto, headers: { ETag: VALUES_ETAG } })
  @ApiNotFoundResponse({ description: 'Not your organisation.' })
  async get(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TimescalesDto> {
    const { body, etag } = await this.admin.get(ctx, id);
    res.header('ETag', etag);
    return body;
  }

  @Put()
  @RequirePermission('update', 'Timescales')
  @ApiOperation({
    summary: "Set my organisation's own timescales (organisation administrators)",
    description:
      'Replaces the local values: a timescale left out follows its default. An unknown key or a value out of its ' +
      'bounds is a 400 naming the field (timescales.<key>). Audited with the values before and after.',
  })
  @ApiHeader({
    name: 'If-Match',
    required: true,
    description: 'The ETag from the last read; 412 if stale.',
    schema: VALUES_ETAG.schema,
  })
  @ApiOkResponse({ type: TimescalesDto, headers: { ETag: VALUES_ETAG } })
  @ApiNotFoundResponse({ description: 'Not your organisation.' })
  @ApiPreconditionFailedResponse({ description: 'Changed since you read it.' })
  async put(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: PutTimescalesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TimescalesDto> {
    const { body, etag } = await this.admin.put(ctx, id, ifMatch, dto.timescales);
    res.header('ETag', etag);
    return body;
  }
}
