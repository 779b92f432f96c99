import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AccessContext, type AppAbility, CurrentAbility, CurrentAccess, RequirePermission } from '@app/access';
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
import { DirectoryService } from './directory.service';
import { CreateUserDto, OrganisationPage, UpdateUserDto, UserDto, UserListQuery, UserPage } from './identity.dto';
import { UsersService } from './users.service';

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @RequirePermission('read', 'Organisation')
  @ApiOperation({ summary: 'The partner organisations and their teams' })
  @ApiOkResponse({ type: OrganisationPage })
  list(@CurrentAbility() ability: AppAbility, @Query() query: PageQuery): Promise<OrganisationPage> {
    return this.directory.listOrganisations(ability, query.limit ?? 50, query.cursor);
  }
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequirePermission('read', 'User')
  @ApiOperation({ summary: 'People of my organisation (organisation administrators)' })
  @ApiOkResponse({ type: UserPage })
  list(@CurrentAbility() ability: AppAbility, @Query() query: UserListQuery): Promise<UserPage> {
    return this.users.list(ability, query.limit ?? 50, query.cursor, query.q);
  }

  @Get(':id')
  @RequirePermission('read', 'User')
  @ApiOperation({ summary: 'One person of my organisation' })
  @ApiOkResponse({ type: UserDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([404, 'No such user in your organisation.'])
  async get(
    @CurrentAbility() ability: AppAbility,
    @Param('id', new UuidParamPipe()) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<UserDto> {
    const user = await this.users.get(ability, id);
    res.header('ETag', etag(user.version));
    return user;
  }

  @Post()
  @Idempotent()
  @RequirePermission('create', 'User')
  @ApiOperation({
    summary: 'Add a person to my organisation',
    description:
      'Roles that read child data, and org_admin, are not granted here: they are asked for (pendingRoles, ' +
      'pendingRoleGrantId) and held once another administrator approves (POST /role-grants/{id}/approve). Audited.',
  })
  @ApiCreatedResponse({ type: UserDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems([409, 'USER.EMAIL_TAKEN: a user with this email already exists.'])
  async create(
    @CurrentAccess() ctx: AccessContext,
    @Body() dto: CreateUserDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<UserDto> {
    const user = await this.users.create(ctx, dto);
    res.header('ETag', etag(user.version));
    res.header('Location', `/api/v1/users/${user.id}`);
    return user;
  }

  @Patch(':id')
  @RequirePermission('update', 'User')
  @ApiOperation({
    summary: "Change a person's name, team, roles or active flag",
    description:
      'Nobody changes their own roles (403 USER.OWN_ROLES). Added roles that read child data, and org_admin, ' +
      'wait for a second administrator (pendingRoles); the rest applies at once. Audited.',
  })
  @ApiIfMatch(true, 'The ETag from the last read; 412 if stale.')
  @ApiOkResponse({ type: UserDto, headers: { ETag: ETAG_HEADER } })
  @ApiProblems(
    [404, 'No such user in your organisation.'],
    [403, 'USER.OWN_ROLES: nobody changes their own roles.'],
    [409, 'ROLE_GRANT.PENDING (roleGrantId): a role grant for this person already waits for approval.'],
  )
  async update(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', new UuidParamPipe()) id: string,
    @Body() dto: UpdateUserDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<UserDto> {
    const user = await this.users.update(ctx, id, versionFromIfMatch(ifMatch), dto);
    res.header('ETag', etag(user.version));
    return user;
  }
}
