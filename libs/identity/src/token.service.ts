import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type Actor, APP_CONFIG, type AppConfig, type OrganisationType } from '@app/platform';

/** Claims of an access token: enough to act without a database look-up on every request. */
export interface TokenClaims {
  sub: string;
  typ: 'user' | 'client';
  org: string;
  otype: OrganisationType;
  team: string | null;
  roles: string[];
  scopes: string[];
  /** Expiry and issue time (seconds since the epoch), set when the token is signed. */
  exp?: number;
  iat?: number;
  /** A user's token generation when the token was issued (app_user.token_generation). */
  gen?: number;
}

export const JWT_ISSUER = 'safeguarding-hub';
export const JWT_AUDIENCE = 'safeguarding-hub-api';

/**
 * The signing key as a KeyObject: handed a string, jsonwebtoken re-parses it on every verify
 * (measured at ~290 µs a request, see STACK-NOTES.md).
 */
export function signingKey(config: AppConfig): KeyObject {
  return createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issue(actor: Actor, generation?: number): { accessToken: string; expiresIn: number; tokenType: 'Bearer' } {
    const claims: TokenClaims = {
      sub: actor.id,
      typ: actor.kind,
      org: actor.organisationId,
      otype: actor.organisationType,
      team: actor.teamId,
      roles: actor.roles,
      scopes: actor.scopes,
      ...(generation !== undefined ? { gen: generation } : {}),
    };
    const expiresIn = this.config.accessTokenTtlSeconds;
    const accessToken = this.jwt.sign(claims, { expiresIn, issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
    return { accessToken, expiresIn, tokenType: 'Bearer' };
  }
}

export function actorFromClaims(claims: TokenClaims): Actor {
  return {
    kind: claims.typ,
    id: claims.sub,
    organisationId: claims.org,
    organisationType: claims.otype,
    teamId: claims.team,
    roles: claims.roles,
    scopes: claims.scopes,
  };
}
