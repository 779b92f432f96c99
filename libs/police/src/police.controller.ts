import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import {
  ApiIfMatch,
  ApiProblems,
  ETAG_HEADER,
  etag,
  Idempotent,
  UuidParamPipe,
  versionFromIfMatch,
} from '@app/platform';

const WITH_ETAG = { headers: { ETag: ETAG_HEADER } };
import {
  BreachDto,
  CawnDto,
  CreateCawnDto,
  CreateLinkDto,
  CreateLocationDto,
  CreatePersonDto,
  CreateScreeningDto,
  CreateVehicleDto,
  EndCawnDto,
  FoundDto,
  LinkDto,
  LocationDto,
  MatchDecisionDto,
  MatchDto,
  MatchListDto,
  MatchRequestDto,
  MissingEpisodeDto,
  NetworkDto,
  NetworkQuery,
  PersonDto,
  ProblemProfileQuery,
  ProblemProfilesDto,
  ReportMissingDto,
  ReturnInterviewDto,
  RevokeDisclosureDto,
  ScreeningDto,
  ScreeningHistoryDto,
  UpdateLocationDto,
  UpdatePersonDto,
  UpdateVehicleDto,
  VehicleDto,
} from './police.dto';
import { PoliceService } from './police.service';

const uuid = new UuidParamPipe();
const NOT_YOURS = 'Not found, or not police intelligence you may see (the same answer for both).';
const NOT_YOURS_TO_CORRECT =
  "Not found, or not a record of your force (another force's, even disclosed to yours, is not yours to correct).";
const CORRECTION =
  'Only the fields sent change. The cross-force match runs again on the new values: a new match tells both forces.';

@ApiTags('police')
@ApiBearerAuth()
@Controller('police')
export class PoliceController {
  constructor(private readonly police: PoliceService) {}

  // ---------- CSE screening ----------

  @Post('screenings')
  @Idempotent()
  @RequirePermission('create', 'CseScreening')
  @ApiOperation({
    summary: 'Screen a child for CSE risk (scored by the documented rules; review due in 3 months)',
  })
  @ApiCreatedResponse({ type: ScreeningDto })
  @ApiProblems([404, 'No such child, or not one your force works with.'])
  screen(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateScreeningDto): Promise<ScreeningDto> {
    return this.police.screen(ctx, dto);
  }

  @Get('children/:childId/screenings')
  @RequirePermission('read', 'CseScreening')
  @ApiOperation({ summary: "A child's CSE screenings by your force, newest first" })
  @ApiOkResponse({ type: ScreeningHistoryDto })
  @ApiProblems([404, 'No such child, or not one you may see.'])
  screenings(@CurrentAccess() ctx: AccessContext, @Param('childId', uuid) childId: string) {
    return this.police.screenings(ctx, childId);
  }

  // ---------- missing episodes ----------

  @Post('missing-episodes')
  @Idempotent()
  @RequirePermission('create', 'MissingEpisode')
  @ApiOperation({ summary: 'Report a child missing (goes to the multi-agency chronology)' })
  @ApiCreatedResponse({ type: MissingEpisodeDto, ...WITH_ETAG })
  @ApiProblems([404, 'No such child, or not one your force works with.'])
  async report(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: ReportMissingDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<MissingEpisodeDto> {
    const episode = await this.police.reportMissing(ctx, dto);
    res.header('ETag', etag(episode.version));
    return episode;
  }

  @Get('missing-episodes/:id')
  @RequirePermission('read', 'MissingEpisode')
  @ApiOperation({ summary: 'A missing episode of your force' })
  @ApiOkResponse({ type: MissingEpisodeDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS])
  async episode(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<MissingEpisodeDto> {
    const episode = await this.police.episode(ctx, id);
    res.header('ETag', etag(episode.version));
    return episode;
  }

  @Post('missing-episodes/:id/found')
  @Idempotent()
  @HttpCode(200)
  @RequirePermission('update', 'MissingEpisode')
  @ApiIfMatch(true, 'The ETag you read; 412 when stale.')
  @ApiOperation({ summary: 'The child was found: the return home interview is due within 72 hours (local)' })
  @ApiOkResponse({ type: MissingEpisodeDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS], [409, 'MISSING_EPISODE.ILLEGAL_TRANSITION: names the allowed moves.'])
  async found(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: FoundDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<MissingEpisodeDto> {
    const episode = await this.police.found(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(episode.version));
    return episode;
  }

  @Post('missing-episodes/:id/return-interview')
  @Idempotent()
  @HttpCode(200)
  @RequirePermission('update', 'MissingEpisode')
  @ApiIfMatch(true, 'The ETag you read; 412 when stale.')
  @ApiOperation({ summary: 'The return home interview (by someone independent) and its outcome, or why none' })
  @ApiOkResponse({ type: MissingEpisodeDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS], [409, 'MISSING_EPISODE.ILLEGAL_TRANSITION: names the allowed moves.'])
  async returnInterview(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ReturnInterviewDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<MissingEpisodeDto> {
    const episode = await this.police.returnInterview(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(episode.version));
    return episode;
  }

  // ---------- persons, vehicles, locations, links ----------

  @Post('persons')
  @Idempotent()
  @RequirePermission('create', 'PoliceIntelligence')
  @ApiOperation({ summary: 'Record a person of interest (a match with another force tells both forces)' })
  @ApiCreatedResponse({ type: PersonDto })
  createPerson(@CurrentAccess() ctx: AccessContext, @Body() dto: CreatePersonDto) {
    return this.police.createPerson(ctx, dto);
  }

  @Get('persons/:id')
  @RequirePermission('read', 'PoliceIntelligence')
  @ApiOperation({ summary: 'A person of interest your force recorded, or one disclosed to it' })
  @ApiOkResponse({ type: PersonDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS])
  async person(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PersonDto> {
    const node = (await this.police.node(ctx, 'person', id)) as PersonDto;
    res.header('ETag', etag(node.version));
    return node;
  }

  @Patch('persons/:id')
  @RequirePermission('update', 'PoliceNode')
  @ApiIfMatch(true, 'The ETag you read; 412 when stale.')
  @ApiOperation({ summary: 'Correct a person of interest your force recorded', description: CORRECTION })
  @ApiOkResponse({ type: PersonDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS_TO_CORRECT])
  async updatePerson(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: UpdatePersonDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PersonDto> {
    const node = await this.police.updatePerson(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(node.version));
    return node;
  }

  @Post('vehicles')
  @Idempotent()
  @RequirePermission('create', 'PoliceIntelligence')
  @ApiOperation({ summary: 'Record a vehicle of interest (registration mark normalised; a match tells both forces)' })
  @ApiCreatedResponse({ type: VehicleDto })
  @ApiProblems([409, 'POLICE_VEHICLE.EXISTS: your force already records this registration mark.'])
  createVehicle(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateVehicleDto) {
    return this.police.createVehicle(ctx, dto);
  }

  @Get('vehicles/:id')
  @RequirePermission('read', 'PoliceIntelligence')
  @ApiOperation({ summary: 'A vehicle of interest your force recorded, or one disclosed to it' })
  @ApiOkResponse({ type: VehicleDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS])
  async vehicle(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<VehicleDto> {
    const node = (await this.police.node(ctx, 'vehicle', id)) as VehicleDto;
    res.header('ETag', etag(node.version));
    return node;
  }

  @Patch('vehicles/:id')
  @RequirePermission('update', 'PoliceNode')
  @ApiIfMatch(true, 'The ETag you read; 412 when stale.')
  @ApiOperation({ summary: 'Correct a vehicle of interest your force recorded', description: CORRECTION })
  @ApiOkResponse({ type: VehicleDto, ...WITH_ETAG })
  @ApiProblems(
    [404, NOT_YOURS_TO_CORRECT],
    [409, 'POLICE_VEHICLE.EXISTS: your force already records this registration mark.'],
  )
  async updateVehicle(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: UpdateVehicleDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<VehicleDto> {
    const node = await this.police.updateVehicle(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(node.version));
    return node;
  }

  @Post('locations')
  @Idempotent()
  @RequirePermission('create', 'PoliceIntelligence')
  @ApiOperation({ summary: 'Record a location of interest (postcode normalised; hotspot flag)' })
  @ApiCreatedResponse({ type: LocationDto })
  createLocation(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateLocationDto) {
    return this.police.createLocation(ctx, dto);
  }

  @Get('locations/:id')
  @RequirePermission('read', 'PoliceIntelligence')
  @ApiOperation({ summary: 'A location of interest your force recorded, or one disclosed to it' })
  @ApiOkResponse({ type: LocationDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS])
  async location(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<LocationDto> {
    const node = (await this.police.node(ctx, 'location', id)) as LocationDto;
    res.header('ETag', etag(node.version));
    return node;
  }

  @Patch('locations/:id')
  @RequirePermission('update', 'PoliceNode')
  @ApiIfMatch(true, 'The ETag you read; 412 when stale.')
  @ApiOperation({ summary: 'Correct a location of interest your force recorded', description: CORRECTION })
  @ApiOkResponse({ type: LocationDto, ...WITH_ETAG })
  @ApiProblems([404, NOT_YOURS_TO_CORRECT])
  async updateLocation(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: UpdateLocationDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<LocationDto> {
    const node = await this.police.updateLocation(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(node.version));
    return node;
  }

  @Post('links')
  @Idempotent()
  @RequirePermission('create', 'PoliceIntelligence')
  @ApiOperation({
    summary: 'Link a child or person to a person, vehicle or location (with its source, date and confidence)',
  })
  @ApiCreatedResponse({ type: LinkDto })
  @ApiProblems([404, 'A node (or child) you cannot see.'], [409, 'POLICE_LINK.EXISTS: already linked.'])
  link(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateLinkDto): Promise<LinkDto> {
    return this.police.link(ctx, dto);
  }

  // ---------- network, problem profiles ----------

  @Get('network')
  @RequirePermission('read', 'PoliceIntelligence')
  @ApiOperation({
    summary: 'The network within 1-3 hops of a child, person, vehicle (vrm) or location',
    description: "Along your force's links; another force's nodes only once disclosed to your force.",
  })
  @ApiOkResponse({ type: NetworkDto })
  @ApiProblems([404, 'The start is not one you may see.'])
  network(@CurrentAccess() ctx: AccessContext, @Query() q: NetworkQuery): Promise<NetworkDto> {
    return this.police.network(ctx, q);
  }

  @Get('problem-profiles')
  @RequirePermission('read', 'PoliceIntelligence')
  @ApiOperation({
    summary: 'Persons, vehicles and locations your force links to at least K children (default 3)',
    description:
      "degree=2 also counts children linked through a linked person, vehicle or location (your force's links only).",
  })
  @ApiOkResponse({ type: ProblemProfilesDto })
  problemProfiles(@CurrentAccess() ctx: AccessContext, @Query() q: ProblemProfileQuery) {
    return this.police.problemProfiles(ctx, q);
  }

  // ---------- cross-force matches ----------

  @Get('matches')
  @RequirePermission('read', 'PoliceIntelligence')
  @ApiOperation({ summary: "Matches of your force's nodes with another force's: the other force and a reference only" })
  @ApiOkResponse({ type: MatchListDto })
  matches(@CurrentAccess() ctx: AccessContext) {
    return this.police.matches(ctx);
  }

  @Post('disclosure-requests')
  @Idempotent()
  @RequirePermission('create', 'PoliceIntelligence')
  @ApiOperation({
    summary: 'Ask the other force to disclose its matching node, quoting the match reference (an information request)',
  })
  @ApiCreatedResponse({ type: MatchDto })
  @ApiProblems([404, 'No such match of your force.'], [409, 'POLICE_MATCH.ALREADY_DECIDED: already asked.'])
  request(@CurrentAccess() ctx: AccessContext, @Body() dto: MatchRequestDto): Promise<MatchDto> {
    return this.police.requestDisclosure(ctx, dto.matchReference, dto);
  }

  @Post('disclosure-decisions')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'PoliceIntelligence')
  @ApiOperation({ summary: "Disclose your force's matching node to the asking force (lawful basis), or decline" })
  @ApiOkResponse({ type: MatchDto })
  @ApiProblems([404, 'No such match, or no request to your force.'], [409, 'POLICE_MATCH.ALREADY_DECIDED.'])
  decide(@CurrentAccess() ctx: AccessContext, @Body() dto: MatchDecisionDto): Promise<MatchDto> {
    return this.police.decideDisclosure(ctx, dto.matchReference, dto);
  }

  @Post('disclosure-revocations')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'PoliceIntelligence')
  @ApiOperation({
    summary: "End your force's disclosure under a match now, with a reason",
    description: 'The other force loses access at once; its CSE unit is told the disclosure ended (not why).',
  })
  @ApiOkResponse({ type: MatchDto })
  @ApiProblems(
    [404, 'No such match of your force, or nothing your force disclosed under it.'],
    [409, 'POLICE_DISCLOSURE.ENDED: already revoked or expired.'],
  )
  revoke(@CurrentAccess() ctx: AccessContext, @Body() dto: RevokeDisclosureDto): Promise<MatchDto> {
    return this.police.revokeDisclosure(ctx, dto.matchReference, dto.reason);
  }

  // ---------- CAWN ----------

  @Post('cawns')
  @Idempotent()
  @RequirePermission('create', 'Cawn')
  @ApiOperation({ summary: 'Serve a child abduction warning notice (a child under 16, or under 18 in care)' })
  @ApiCreatedResponse({ type: CawnDto })
  @ApiProblems([404, 'A person or child you cannot see.'], [422, 'CAWN.NOT_ELIGIBLE: the child is too old.'])
  createCawn(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateCawnDto): Promise<CawnDto> {
    return this.police.createCawn(ctx, dto);
  }

  @Get('cawns/:id')
  @RequirePermission('read', 'Cawn')
  @ApiOperation({ summary: 'A CAWN of your force, with its breaches and whether it has expired' })
  @ApiOkResponse({ type: CawnDto })
  @ApiProblems([404, NOT_YOURS])
  cawn(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<CawnDto> {
    return this.police.cawn(ctx, id);
  }

  @Post('cawns/:id/end')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'Cawn')
  @ApiOperation({
    summary: 'End a CAWN of your force: withdrawn while it runs, or let end once it has lapsed (with a reason)',
    description:
      'Its expiry clock stops (cancelled when withdrawn, met when a lapsed notice is let end), so nothing escalates for it any more; no breach after the day it ended.',
  })
  @ApiOkResponse({ type: CawnDto })
  @ApiProblems([404, NOT_YOURS], [409, 'CAWN.ENDED: the notice was already ended.'])
  endCawn(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string, @Body() dto: EndCawnDto) {
    return this.police.endCawn(ctx, id, dto);
  }

  @Post('cawns/:id/breaches')
  @Idempotent()
  @RequirePermission('create', 'Cawn')
  @ApiOperation({ summary: 'Record a breach of a CAWN (while it ran: between its served and expiry days)' })
  @ApiCreatedResponse({ type: CawnDto })
  @ApiProblems([404, NOT_YOURS])
  breach(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string, @Body() dto: BreachDto) {
    return this.police.breach(ctx, id, dto);
  }
}
