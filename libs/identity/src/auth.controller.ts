import { Body, Controller, Get, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AbilityFactory, Authenticated, Public } from '@app/access';
import { type Actor, ApiProblems, CurrentActor, DomainError } from '@app/platform';
import { AuthService } from './auth.service';
import { DirectoryService } from './directory.service';
import { ClientTokenResponse, LoginDto, MeResponse, TokenRequestDto, TokenResponse } from './identity.dto';

const badAuthorization = (message: string) =>
  DomainError.validation([{ field: 'authorization', message: `authorization ${message}` }]);

/**
 * Client id and secret from an HTTP Basic header, each form-urlencoded (RFC 6749, 2.3.1), held
 * to the bounds of the body's client_id and client_secret; null when the header holds no pair.
 */
function basicCredentials(encoded: string): { clientId: string; secret: string } | null {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  let clientId: string;
  let secret: string;
  try {
    clientId = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  } catch {
    throw badAuthorization('must hold a percent-encoded client id and secret');
  }
  // Decoded here, so the input limits at the edge never saw these values.
  if (clientId.includes('\u0000') || secret.includes('\u0000'))
    throw badAuthorization('must not contain a NUL character');
  if (clientId.length > 100 || secret.length > 200) {
    throw badAuthorization('must hold a client id of at most 100 and a secret of at most 200 characters');
  }
  return { clientId, secret };
}

@ApiTags('auth', 'machine API')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in as a person', description: 'Returns a bearer token valid for at most 15 minutes.' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(
    [401, 'Wrong email or password (the same answer for both).'],
    [429, 'Too many failed attempts for the account or from your address; see Retry-After.'],
  )
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
  @ApiProblems(
    [401, 'Unknown or deactivated client, or wrong secret.'],
    [429, 'Too many failed attempts for the client or from your address; see Retry-After.'],
  )
  async token(
    @Body() dto: TokenRequestDto,
    @Ip() ip: string,
    @Headers('authorization') authorization?: string,
  ): Promise<ClientTokenResponse> {
    let clientId = dto.client_id;
    let secret = dto.client_secret;
    const basic = authorization?.startsWith('Basic ') ? basicCredentials(authorization.slice(6)) : null;
    if (basic) ({ clientId, secret } = basic);
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
