import { Body, Controller, Get, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AbilityFactory, Authenticated, Public } from '@app/access';
import { type Actor, CurrentActor, DomainError } from '@app/platform';
import { AuthService } from './auth.service';
import { DirectoryService } from './directory.service';
import { ClientTokenResponse, LoginDto, MeResponse, TokenRequestDto, TokenResponse } from './identity.dto';

@ApiTags('auth', 'machine API')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in as a person', description: 'Returns a bearer token valid for at most 15 minutes.' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password (the same answer for both).' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts; see Retry-After.' })
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenResponse> {
    return this.auth.login(dto.email, dto.password, ip);
  }

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'OAuth2 client credentials for partner systems',
    description:
      'grant_type=client_credentials, as a form or JSON; client id and secret in the body or an HTTP Basic header. ' +
      "The token acts for the client's organisation with its scopes.",
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: ClientTokenResponse })
  @ApiUnauthorizedResponse({ description: 'Unknown client or wrong secret.' })
  async token(
    @Body() dto: TokenRequestDto,
    @Ip() ip: string,
    @Headers('authorization') authorization?: string,
  ): Promise<ClientTokenResponse> {
    let clientId = dto.client_id;
    let secret = dto.client_secret;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    if (!clientId || !secret) {
      throw DomainError.validation([
        ...(!clientId ? [{ field: 'client_id', message: 'client_id is required' }] : []),
        ...(!secret ? [{ field: 'client_secret', message: 'client_secret is required' }] : []),
      ]);
    }
    const t = await this.auth.clientCredentials(clientId, secret, ip, dto.scope);
    return { ...t, access_token: t.accessToken, expires_in: t.expiresIn, token_type: t.tokenType };
  }
}

@ApiTags('auth')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly directory: DirectoryService,
    private readonly abilities: AbilityFactory,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Who am I, and what may I do?' })
  @ApiOkResponse({ type: MeResponse })
  async me(@CurrentActor() actor: Actor): Promise<MeResponse> {
    const described = await this.directory.describe(actor);
    return {
      kind: actor.kind,
      id: actor.id,
      ...described,
      roles: actor.roles,
      scopes: actor.scopes,
      permissions: this.abilities.packed(actor),
    };
  }
}
