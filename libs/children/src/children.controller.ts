import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, PURPOSES_OF_USE, RequirePermission } from '@app/access';
import {
  ApiIfMatch,
  ApiProblems,
  ETAG_HEADER,
  etag,
  Idempotent,
  PageQuery,
  UuidParamPipe,
  versionFromIfMatch,
} from '@app/platform';
import {
  AccessLogPage,
  AddressDto,
  BreakGlassDto,
  BreakGlassResponse,
  ChildDto,
  ChildPage,
  ChildSearchQuery,
  ChronologyEntryDto,
  ChronologyPage,
  ChronologyQuery,
  CreateChildDto,
  CreateChronologyEntryDto,
  MAX_ADDRESSES_PER_CHILD,
  PutSectionDto,
  SectionDto,
  UpdateChildDto,
} from './children.dto';
import { ChildrenService } from './children.service';
import { RecordPartsService } from './record-parts.service';

const uuid = new UuidParamPipe();
const PURPOSE = {
  name: 'X-Purpose-Of-Use',
  required: false,
  description:
    'Why you are accessing the record, kept in the audit log: direct_safeguarding (default), referral_triage, ' +
    'strategy_discussion, case_review, information_request, inspection, audit, emergency.',
  schema: { type: 'string', enum: [...PURPOSES_OF_USE] },
};
const ApiChildNotFound = () => ApiProblems([404, 'No such child, or not one you may see (the same answer for both).']);
const WITH_ETAG = { headers: { ETag: ETAG_HEADER } };

@ApiTags('children')
@ApiBearerAuth()
@ApiHeader(PURPOSE)
@Controller('children')
export class ChildrenController {
  constructor(
    private readonly children: ChildrenService,
    private readonly parts: RecordPartsService,
  ) {}

  @Post()
  @Idempotent()
  @RequirePermission('create', 'Child')
  @ApiOperation({
    summary: 'Register a child',
    description:
      'Your organisation becomes the lead involvement. If the child may already be on the system (same NHS number, ' +
      'or same name and date of birth) the answer is 409: with the child id when you can see that record, or with an ' +
      'opaque matchReference when another agency holds it, for use in a referral or an information request.',
  })
  @ApiCreatedResponse({ type: ChildDto, ...WITH_ETAG })
  @ApiProblems([409, 'CHILD.ALREADY_REGISTERED (childId) or CHILD.POSSIBLE_MATCH (matchReference).'])
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateChildDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const child = await this.children.create(ctx, dto);
    res.header('ETag', etag(child.version)).header('Location', `/api/v1/children/${child.id}`);
    return child;
  }

  @Get()
  @RequirePermission('read', 'Child')
  @ApiOperation({
    summary: 'Search the children you may see',
    description: 'By name (fuzzy), date of birth or any identifier.',
  })
  @ApiOkResponse({ type: ChildPage })
  search(@CurrentAccess() ctx: AccessContext, @Query() query: ChildSearchQuery): Promise<ChildPage> {
    return this.children.search(ctx, query);
  }

  @Get(':id')
  @RequirePermission('read', 'Child')
  @ApiOperation({ summary: "A child's shared record, with the fields your role may read" })
  @ApiOkResponse({ type: ChildDto, ...WITH_ETAG })
  @ApiChildNotFound()
  async get(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const child = await this.children.get(ctx, id);
    res.header('ETag', etag(child.version));
    return child;
  }

  @Patch(':id')
  @RequirePermission('update', 'Child')
  @ApiOperation({
    summary: "Correct a child's core record",
    description: 'A field your role may not change is 403, naming it.',
  })
  @ApiIfMatch(true, 'The ETag you read; 412 when stale.')
  @ApiOkResponse({ type: ChildDto, ...WITH_ETAG })
  @ApiChildNotFound()
  @ApiProblems([403, 'CHILD.FIELDS_FORBIDDEN: the fields you may not change.'])
  async update(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateChildDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const child = await this.children.update(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(child.version));
    return child;
  }

  @Post(':id/addresses')
  @Idempotent()
  @RequirePermission('create', 'ChildAddress')
  @ApiOperation({
    summary: 'Add an address to the history',
    description: 'A confidential address is seen only by your organisation.',
  })
  @ApiCreatedResponse({ type: ChildDto })
  @ApiProblems([
    422,
    `CHILD.TOO_MANY_ADDRESSES: a child's address history holds at most ${MAX_ADDRESSES_PER_CHILD} addresses.`,
  ])
  @ApiChildNotFound()
  addAddress(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: AddressDto,
  ): Promise<ChildDto> {
    return this.children.addAddress(ctx, id, dto);
  }

  @Get(':id/sections/:orgId')
  @RequirePermission('read', 'ChildSection')
  @ApiOperation({
    summary: "One agency's section of the record",
    description: "Your own; another agency's only under a grant.",
  })
  @ApiOkResponse({ type: SectionDto, ...WITH_ETAG })
  @ApiChildNotFound()
  async getSection(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Param('orgId', uuid) orgId: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const section = await this.parts.getSection(ctx, id, orgId);
    res.header('ETag', etag(section.version));
    return section;
  }

  @Put(':id/sections/:orgId')
  @RequirePermission('update', 'ChildSection')
  @ApiOperation({
    summary: "Write your organisation's section (whole)",
    description: 'If-Match is required once it exists.',
  })
  @ApiIfMatch(false, 'The ETag you read; required to replace an existing section (428 without it).')
  @ApiOkResponse({ type: SectionDto, ...WITH_ETAG })
  @ApiChildNotFound()
  async putSection(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Param('orgId', uuid) orgId: string,
    @Body() dto: PutSectionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const section = await this.parts.putSection(
      ctx,
      id,
      orgId,
      ifMatch === undefined ? null : versionFromIfMatch(ifMatch),
      dto,
    );
    res.header('ETag', etag(section.version));
    return section;
  }

  @Get(':id/chronology')
  @RequirePermission('read', 'ChronologyEntry')
  @ApiOperation({
    summary: "The child's chronology, newest first",
    description:
      'Every entry you may see, or with view=multi-agency the merged multi-agency chronology: the safeguarding ' +
      'events every agency working with the child recorded for it, as summaries, with the recording agency on each line.',
  })
  @ApiOkResponse({ type: ChronologyPage })
  @ApiChildNotFound()
  chronology(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Query() query: ChronologyQuery,
  ): Promise<ChronologyPage> {
    return this.parts.chronology(ctx, id, query.limit ?? 50, query.cursor, query.view ?? 'all');
  }

  @Post(':id/chronology')
  @Idempotent()
  @RequirePermission('create', 'ChronologyEntry')
  @ApiOperation({
    summary: 'Record a chronology entry',
    description: 'Its sensitivity class decides who may ever read it.',
  })
  @ApiCreatedResponse({ type: ChronologyEntryDto })
  @ApiChildNotFound()
  addChronology(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: CreateChronologyEntryDto,
  ): Promise<ChronologyEntryDto> {
    return this.parts.addChronologyEntry(ctx, id, dto);
  }

  @Get(':id/access-log')
  @RequirePermission('read', 'AccessLog')
  @ApiOperation({ summary: 'Who looked at or changed this record, when, from which organisation and why' })
  @ApiOkResponse({ type: AccessLogPage })
  @ApiChildNotFound()
  accessLog(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Query() page: PageQuery,
  ): Promise<AccessLogPage> {
    return this.parts.accessLog(ctx, id, page.limit ?? 50, page.cursor);
  }

  @Post(':id/break-glass')
  @Idempotent()
  @HttpCode(201)
  @RequirePermission('create', 'BreakGlass')
  @ApiOperation({
    summary: 'Open a record outside need-to-know, in an emergency',
    description:
      'Time-limited; the reason is kept; every read under it is audited as break-glass; the lead organisation is told.',
  })
  @ApiCreatedResponse({ type: BreakGlassResponse })
  @ApiChildNotFound()
  breakGlass(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: BreakGlassDto,
  ): Promise<BreakGlassResponse> {
    return this.parts.breakGlass(ctx, id, dto.reason);
  }
}
