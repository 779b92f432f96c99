import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ApiProblems, Idempotent, PageQuery, UuidParamPipe } from '@app/platform';
import {
  AgreementDto,
  AgreementPage,
  CreateAgreementDto,
  CreateInformationRequestDto,
  GrantDto,
  GrantPage,
  InformationRequestDto,
  InformationRequestPage,
  RequestDecisionDto,
  RequestListQuery,
  RevokeGrantDto,
} from './sharing.dto';
import { AgreementsService } from './agreements.service';
import { GrantsService } from './grants.service';
import { InformationRequestsService } from './information-requests.service';

const uuid = new UuidParamPipe();

@ApiTags('information sharing')
@ApiBearerAuth()
@Controller('sharing')
export class SharingController {
  constructor(
    private readonly agreementsService: AgreementsService,
    private readonly requestsService: InformationRequestsService,
    private readonly grantsService: GrantsService,
  ) {}

  @Post('agreements')
  @Idempotent()
  @RequirePermission('create', 'SharingAgreement')
  @ApiOperation({ summary: 'Record an information-sharing agreement (administrators and nominated leads)' })
  @ApiCreatedResponse({ type: AgreementDto })
  createAgreement(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateAgreementDto): Promise<AgreementDto> {
    return this.agreementsService.createAgreement(ctx, dto);
  }

  @Get('agreements')
  @RequirePermission('read', 'SharingAgreement')
  @ApiOperation({ summary: 'Agreements my organisation is party to' })
  @ApiOkResponse({ type: AgreementPage })
  agreements(@CurrentAccess() ctx: AccessContext, @Query() q: PageQuery): Promise<AgreementPage> {
    return this.agreementsService.listAgreements(ctx, q.limit ?? 50, q.cursor);
  }

  @Get('decisions')
  @RequirePermission('read', 'InformationRequest')
  @ApiOperation({
    summary: 'Every decision to share or not to share, by or for my organisation, with reason and lawful basis',
  })
  @ApiOkResponse({ type: InformationRequestPage })
  decisions(@CurrentAccess() ctx: AccessContext, @Query() q: RequestListQuery): Promise<InformationRequestPage> {
    return this.requestsService.requests(ctx, q, 'decisions');
  }

  @Get('grants')
  @RequirePermission('read', 'SharingGrant')
  @ApiOperation({ summary: 'Disclosures my organisation granted or received' })
  @ApiOkResponse({ type: GrantPage })
  grants(@CurrentAccess() ctx: AccessContext, @Query() q: PageQuery): Promise<GrantPage> {
    return this.grantsService.grants(ctx, q.limit ?? 50, q.cursor);
  }

  @Post('grants/:id/revoke')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('update', 'SharingGrant')
  @ApiOperation({ summary: 'Revoke a disclosure: access stops at once' })
  @ApiOkResponse({ type: GrantDto })
  @ApiProblems(
    [404, 'No such grant of your organisation.'],
    [409, 'GRANT.ALREADY_REVOKED: the grant is already revoked.'],
  )
  revoke(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: RevokeGrantDto,
  ): Promise<GrantDto> {
    return this.grantsService.revoke(ctx, id, dto.reason);
  }
}

@ApiTags('information sharing', 'machine API')
@ApiBearerAuth()
@Controller('information-requests')
export class InformationRequestsController {
  constructor(private readonly requestsService: InformationRequestsService) {}

  @Post()
  @Idempotent()
  @RequirePermission('create', 'InformationRequest')
  @ApiOperation({
    summary: 'Ask another organisation about a child',
    description:
      'By child id, a match reference, an NHS number, or names and date of birth. The answer never says whether the ' +
      'other organisation holds the child: that comes with its decision. Urgent: 4 hours; standard: 3 working days.',
  })
  @ApiCreatedResponse({ type: InformationRequestDto })
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateInformationRequestDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<InformationRequestDto> {
    const request = await this.requestsService.createRequest(ctx, dto);
    res.header('Location', `/api/v1/information-requests/${request.id}`);
    return request;
  }

  @Get('inbox')
  @RequirePermission('receive', 'InformationRequest')
  @ApiOperation({ summary: 'Requests to my organisation, by due time' })
  @ApiOkResponse({ type: InformationRequestPage })
  inbox(@CurrentAccess() ctx: AccessContext, @Query() q: RequestListQuery): Promise<InformationRequestPage> {
    return this.requestsService.requests(ctx, q, 'inbox');
  }

  @Get('sent')
  @RequirePermission('create', 'InformationRequest')
  @ApiOperation({ summary: 'Requests my organisation sent, and their decisions' })
  @ApiOkResponse({ type: InformationRequestPage })
  sent(@CurrentAccess() ctx: AccessContext, @Query() q: RequestListQuery): Promise<InformationRequestPage> {
    return this.requestsService.requests(ctx, q, 'sent');
  }

  @Get(':id')
  @RequirePermission('read', 'InformationRequest')
  @ApiOperation({ summary: 'One request (requester or receiver)' })
  @ApiOkResponse({ type: InformationRequestDto })
  get(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<InformationRequestDto> {
    return this.requestsService.getRequest(ctx, id);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('receive', 'InformationRequest')
  @ApiOperation({
    summary: 'Disclose (classes, until, lawful basis) or decline (reason): both are recorded',
    description:
      'A disclosure becomes a time-limited grant. Outside an agreement in force, a justification is required.',
  })
  @ApiOkResponse({ type: InformationRequestDto })
  @ApiProblems(
    [409, 'INFORMATION_REQUEST.ALREADY_DECIDED: the request is already decided.'],
    [422, 'INFORMATION_REQUEST.CHILD_REQUIRED: the request matched no child you hold; name one (childId) or decline.'],
  )
  decide(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: RequestDecisionDto,
  ): Promise<InformationRequestDto> {
    return this.requestsService.decide(ctx, id, dto);
  }
}
