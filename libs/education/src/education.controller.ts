import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, CurrentAccess, RequirePermission } from '@app/access';
import { ConcernDto } from '@app/referrals';
import {
  ApiIfMatch,
  ApiProblems,
  etag,
  ETAG_HEADER,
  Idempotent,
  NoBodyDto,
  UuidParamPipe,
  versionFromIfMatch,
} from '@app/platform';
import {
  AddActionDto,
  AddPupilDto,
  ClosureDayDto,
  ClosureDaysDto,
  CreateTransferDto,
  FileTransferDto,
  FileTransferPage,
  PupilConcernDto,
  PupilDto,
  PupilListQuery,
  PupilPage,
  SafeguardingActionDto,
  SafeguardingFileDto,
  TransferInboxQuery,
  UpdatePupilDto,
} from './education.dto';
import { EducationService } from './education.service';

const uuid = new UuidParamPipe();

@ApiTags('education')
@ApiExtraModels(ClosureDayDto)
@ApiBearerAuth()
@Controller('education')
export class EducationController {
  constructor(private readonly education: EducationService) {}

  @Post('pupils')
  @Idempotent()
  @RequirePermission('create', 'Pupil')
  @ApiOperation({
    summary: "Put a child on the school's roll (by UPN, validated with its check letter)",
    description: 'A child your school works with (childId), or the details of a new one (registered by your school).',
  })
  @ApiCreatedResponse({ type: PupilDto })
  @ApiProblems([409, 'PUPIL.ALREADY_ON_ROLL: already on your roll.'])
  async addPupil(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: AddPupilDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PupilDto> {
    const pupil = await this.education.addPupil(ctx, dto);
    res.header('Location', `/api/v1/education/pupils/${pupil.id}`);
    return pupil;
  }

  @Get('pupils')
  @RequirePermission('read', 'Pupil')
  @ApiOperation({ summary: "My school's roll: who is on it (staff: name and year only)" })
  @ApiOkResponse({ type: PupilPage })
  listPupils(@CurrentAccess() ctx: AccessContext, @Query() q: PupilListQuery): Promise<PupilPage> {
    return this.education.listPupils(ctx, q);
  }

  @Get('pupils/:id')
  @RequirePermission('read', 'Pupil')
  @ApiOperation({ summary: 'A pupil on my roll' })
  @ApiOkResponse({ type: PupilDto, headers: { ETag: { ...ETAG_HEADER, description: 'The DSL only.' } } })
  @ApiProblems([404, 'No such pupil on your roll.'])
  async getPupil(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PupilDto> {
    const pupil = await this.education.getPupil(ctx, id);
    if (pupil.version !== undefined) res.header('ETag', etag(pupil.version));
    return pupil;
  }

  @Patch('pupils/:id')
  @RequirePermission('update', 'Pupil')
  @ApiOperation({
    summary: "Correct who a pupil is on my school's roll: name, date of birth, year group",
    description:
      "The roll's own copy (the school's information system's), not the shared record. A name can be corrected, " +
      'not cleared; dateOfBirth and yearGroup clear with null. Audited with the fields changed.',
  })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: PupilDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such pupil on your roll.'])
  async updatePupil(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: UpdatePupilDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PupilDto> {
    const pupil = await this.education.updatePupil(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(pupil.version!));
    return pupil;
  }

  @Post('pupils/:id/concerns')
  @Idempotent()
  @RequirePermission('create', 'Concern')
  @ApiOperation({
    summary: 'Log a concern about a pupil on my roll, named by the roll entry (no retyping)',
    description: "It lands in the DSL's inbox. You follow your own concern; you never read the pupil's record.",
  })
  @ApiCreatedResponse({ type: ConcernDto })
  @ApiProblems([404, 'No such pupil on your roll.'], [409, 'PUPIL.LEFT: the pupil has left the roll.'])
  async logConcern(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: PupilConcernDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ConcernDto> {
    const concern = await this.education.logConcern(ctx, id, dto);
    res.header('Location', `/api/v1/concerns/${concern.id}`);
    return concern;
  }

  @Get('pupils/:id/file')
  @RequirePermission('read', 'SchoolFile')
  @ApiOperation({
    summary: "The DSL's safeguarding file on a pupil",
    description: "Concerns and the DSL's decisions, actions, status (CIN, CP plan, looked after) and files received.",
  })
  @ApiOkResponse({ type: SafeguardingFileDto })
  @ApiProblems([404, 'No such pupil on your roll.'])
  getFile(@CurrentAccess() ctx: AccessContext, @Param('id', uuid) id: string): Promise<SafeguardingFileDto> {
    return this.education.getFile(ctx, id);
  }

  @Post('pupils/:id/actions')
  @Idempotent()
  @RequirePermission('update', 'SchoolFile')
  @ApiOperation({ summary: "Record an action on a pupil's safeguarding file" })
  @ApiCreatedResponse({ type: SafeguardingActionDto })
  @ApiProblems([404, 'No such pupil on your roll.'])
  addAction(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: AddActionDto,
  ): Promise<SafeguardingActionDto> {
    return this.education.addAction(ctx, id, dto);
  }

  @Post('pupils/:id/transfers')
  @Idempotent()
  @RequirePermission('create', 'FileTransfer')
  @ApiOperation({
    summary: 'The pupil moved: send their safeguarding file, separately from the main pupil file',
    description:
      'To the new school (its DSL confirms receipt within 5 school days of the move, else it escalates), or, to ' +
      "no known school or out of the area, to the council's children missing education officer.",
  })
  @ApiCreatedResponse({ type: FileTransferDto })
  @ApiProblems([404, 'No such pupil on your roll.'], [409, 'PUPIL.LEFT: the pupil has already left.'])
  async transfer(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Body() dto: CreateTransferDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<FileTransferDto> {
    const transfer = await this.education.transfer(ctx, id, dto);
    res.header('Location', `/api/v1/education/transfers/${transfer.id}`);
    res.header('ETag', etag(transfer.version));
    return transfer;
  }

  @Get('transfers/inbox')
  @RequirePermission('receive', 'FileTransfer')
  @ApiOperation({ summary: 'Safeguarding files sent to me awaiting confirmation of receipt, soonest due first' })
  @ApiOkResponse({ type: FileTransferPage })
  inbox(@CurrentAccess() ctx: AccessContext, @Query() q: TransferInboxQuery): Promise<FileTransferPage> {
    return this.education.transferInbox(ctx, q);
  }

  @Get('transfers/:id')
  @RequirePermission('read', 'FileTransfer')
  @ApiOperation({ summary: 'A transferred safeguarding file: the read-only copy, with its provenance' })
  @ApiOkResponse({ type: FileTransferDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such transfer, or not one you sent or received.'])
  async getTransfer(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<FileTransferDto> {
    const transfer = await this.education.getTransfer(ctx, id);
    res.header('ETag', etag(transfer.version));
    return transfer;
  }

  @Post('transfers/:id/receipt')
  @HttpCode(200)
  @Idempotent()
  @RequirePermission('receive', 'FileTransfer')
  @ApiOperation({ summary: 'Confirm receipt of a safeguarding file (stops its clock)' })
  @ApiBody({
    required: false,
    type: NoBodyDto,
    description: 'Nothing: the receipt is the If-Match of the version read.',
  })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: FileTransferDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such transfer to you.'], [409, 'FILE_TRANSFER.ILLEGAL_TRANSITION: already received.'])
  async confirmReceipt(
    @Body() _none: NoBodyDto,
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<FileTransferDto> {
    const transfer = await this.education.confirmReceipt(ctx, id, versionFromIfMatch(ifMatch));
    res.header('ETag', etag(transfer.version));
    return transfer;
  }

  @Get('closure-days')
  @RequirePermission('read', 'SchoolCalendar')
  @ApiOperation({
    summary: "My school's closure days (not school days for its clocks)",
    description: 'The ETag is the version of the whole list: send it in If-Match to replace the list.',
  })
  @ApiOkResponse({
    schema: { type: 'array', maxItems: 100, items: { $ref: getSchemaPath(ClosureDayDto) } },
    headers: { ETag: ETAG_HEADER },
  })
  async closureDays(
    @CurrentAccess() ctx: AccessContext,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ClosureDayDto[]> {
    const { days, version } = await this.education.closureDays(ctx);
    res.header('ETag', etag(version));
    return days;
  }

  @Put('closure-days')
  @RequirePermission('update', 'SchoolCalendar')
  @ApiOperation({
    summary: "Set my school's closure days (the whole list: INSET days, half terms)",
    description:
      'Replaces the whole list, so If-Match (the ETag of the list you read) is required: 412 if another ' +
      "DSL changed it since. School-day clocks started from now on skip them (a file transfer's clock " +
      "counts the receiving school's days).",
  })
  @ApiIfMatch(true, 'The ETag from the last read of the list; 412 if stale.')
  @ApiOkResponse({
    schema: { type: 'array', maxItems: 100, items: { $ref: getSchemaPath(ClosureDayDto) } },
    headers: { ETag: ETAG_HEADER },
  })
  async setClosureDays(
    @CurrentAccess() ctx: AccessContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ClosureDaysDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ClosureDayDto[]> {
    const { days, version } = await this.education.setClosureDays(ctx, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(version));
    return days;
  }
}
