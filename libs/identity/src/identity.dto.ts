import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ALL_ROLES, SCOPES } from '@app/access';
import { ApiNextCursor, ApiPageData, ORGANISATION_TYPES, PageQuery } from '@app/platform';
import { ROLE_GRANT_STATUSES, type RoleGrantStatus } from './role-grant.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class LoginDto {
  @ApiProperty({ example: 'social.worker@northshire-council.example' })
  @Transform(lower)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'demo-password', format: 'password' })
  @IsString()
  @Length(1, 200)
  password!: string;
}

export class TokenRequestDto {
  @ApiProperty({ enum: ['client_credentials'] })
  @IsIn(['client_credentials'])
  grant_type!: 'client_credentials';

  @ApiPropertyOptional({
    description: 'Or in an HTTP Basic Authorization header.',
    example: 'southshire-police-case-system',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  client_id?: string;

  @ApiPropertyOptional({ format: 'password', description: 'Or in an HTTP Basic Authorization header.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  client_secret?: string;

  @ApiPropertyOptional({ description: "Space-separated subset of the client's scopes.", example: 'organisations:read' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  scope?: string;
}

/** A signed JWT: its claims are a few ids, roles and scopes, well under this. */
const TOKEN_MAX_LENGTH = 4096;
/** Teams of one organisation: made by operators (seed, migrations), never through the API. */
const TEAMS_MAX_ITEMS = 500;

export class TokenResponse {
  @ApiProperty({ description: 'JWT bearer token.', maxLength: TOKEN_MAX_LENGTH })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the token expires (at most 900).', example: 900 })
  expiresIn!: number;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';
}

export class ClientTokenResponse extends TokenResponse {
  @ApiProperty({ description: 'OAuth2 field names, for off-the-shelf clients.', maxLength: TOKEN_MAX_LENGTH })
  access_token!: string;

  @ApiProperty()
  expires_in!: number;

  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';

  @ApiProperty({ example: 'organisations:read referrals:write', maxLength: 500 })
  scope!: string;
}

export class TeamDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ example: 'CSE Unit', maxLength: 120 }) name!: string;
  @ApiProperty({ example: 'cse_unit', maxLength: 40 }) function!: string;
}

export class OrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'NSP', maxLength: 20 }) code!: string;
  @ApiProperty({ example: 'Northshire Police', maxLength: 200 }) name!: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) type!: string;
  @ApiProperty({ type: [TeamDto], maxItems: TEAMS_MAX_ITEMS }) teams!: TeamDto[];
}

export class OrganisationPage {
  @ApiPageData(OrganisationDto) data!: OrganisationDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 254 }) email!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ format: 'uuid', type: String, nullable: true }) teamId!: string | null;
  @ApiProperty({ enum: ALL_ROLES, isArray: true, maxItems: ALL_ROLES.length }) roles!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty({
    enum: ALL_ROLES,
    isArray: true,
    maxItems: ALL_ROLES.length,
    description: "Roles asked for and waiting for a second administrator's approval; not held yet.",
  })
  pendingRoles!: string[];
  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'The pending role grant, if any.' })
  pendingRoleGrantId!: string | null;
  @ApiProperty({ description: 'Send it back in If-Match to update.' }) version!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class UserPage {
  @ApiPageData(UserDto) data!: UserDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class UserListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of a name or email.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'new.worker@northshire-council.example' })
  @Transform(lower)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Sam Example' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ format: 'uuid', description: "A team of the administrator's organisation." })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiProperty({ enum: ALL_ROLES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(10)
  @IsIn(ALL_ROLES, { each: true })
  roles!: string[];

  @ApiProperty({ format: 'password', minLength: 12, description: 'Initial password, at least 12 characters.' })
  @IsString()
  @MinLength(12)
  @MaxLength(200)
  password!: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ format: 'uuid', type: String, nullable: true })
  @IsOptional()
  @IsUUID()
  teamId?: string | null;

  @ApiPropertyOptional({ enum: ALL_ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(10)
  @IsIn(ALL_ROLES, { each: true })
  roles?: string[];

  @ApiPropertyOptional({ description: 'false deactivates the account: it can no longer log in.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class RoleGrantDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ format: 'uuid', description: 'The person the roles are for.' }) userId!: string;
  @ApiProperty({
    enum: ALL_ROLES,
    isArray: true,
    maxItems: ALL_ROLES.length,
    description: 'Added to the person on approval.',
  })
  roles!: string[];
  @ApiProperty({ enum: ROLE_GRANT_STATUSES }) status!: RoleGrantStatus;
  @ApiProperty({ format: 'uuid', description: 'The administrator who asked.' }) requestedBy!: string;
  @ApiProperty() requestedAt!: Date;
  @ApiProperty({ format: 'uuid', type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: Date, nullable: true }) decidedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 500 }) comment!: string | null;
}

export class RoleGrantPage {
  @ApiPageData(RoleGrantDto) data!: RoleGrantDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class RoleGrantListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ROLE_GRANT_STATUSES, description: 'Only grants in this status (default: all).' })
  @IsOptional()
  @IsIn(ROLE_GRANT_STATUSES)
  status?: RoleGrantStatus;
}

export class RoleGrantDecisionDto {
  @ApiPropertyOptional({ maxLength: 500, description: "The deciding administrator's note." })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  comment?: string;
}

export class ApiClientDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'southshire-police-case-system', maxLength: 100 }) clientId!: string;
  @ApiProperty({ maxLength: 200 }) name!: string;
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ enum: SCOPES, isArray: true, maxItems: SCOPES.length }) scopes!: string[];
  @ApiProperty({ description: 'false: the client gets no tokens, and those it holds are refused.' }) active!: boolean;
  @ApiProperty({ description: 'Send it back in If-Match to update.' }) version!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ApiClientPage {
  @ApiPageData(ApiClientDto) data!: ApiClientDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class UpdateApiClientDto {
  @ApiProperty({ description: 'false deactivates the client and ends the tokens it holds; true reactivates it.' })
  @IsBoolean()
  active!: boolean;
}

export class MeResponse {
  @ApiProperty({ enum: ['user', 'client'] }) kind!: 'user' | 'client';
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: "Person's name, or the client's.", maxLength: 200 }) name!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 254 }) email!: string | null;
  @ApiProperty({ type: OrganisationDto }) organisation!: Omit<OrganisationDto, 'teams'>;
  @ApiProperty({ type: TeamDto, nullable: true }) team!: TeamDto | null;
  @ApiProperty({ enum: ALL_ROLES, isArray: true, maxItems: ALL_ROLES.length }) roles!: string[];
  @ApiProperty({ enum: SCOPES, isArray: true, maxItems: SCOPES.length }) scopes!: string[];
  @ApiProperty({
    description:
      "The actor's effective permissions as packed CASL rules (@casl/ability/extra unpackRules): " +
      '[action, subject, conditions, inverted, fields, reason], as many as the policy gives a role.',
    type: 'array',
    maxItems: 1000,
    items: { type: 'array', maxItems: 6, items: {} },
  })
  permissions!: unknown[];
}
