import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type Actor, APP_CONFIG, type AppConfig } from '@app/platform';
import type { VerifiedTokenRequest } from './authentication.guard';
import { actorFromClaims, JWT_AUDIENCE, JWT_ISSUER, signingKey, type TokenClaims } from './token.service';

const CLOCK_SKEW_SECONDS = 60;

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly ttlSeconds: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types say string | Buffer; jsonwebtoken takes the KeyObject as it is.
      secretOrKey: signingKey(config) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
      // No token outlives the configured lifetime from its issue time, whatever its `exp` says;
      // jsonwebtoken refuses a token without `iat` under maxAge.
      jsonWebTokenOptions: { maxAge: config.accessTokenTtlSeconds },
      passReqToCallback: true,
    });
    this.ttlSeconds = config.accessTokenTtlSeconds;
  }

  /**
   * A correctly signed token is still refused (401) without a numeric `exp` (it would never
   * expire) or `iat` (its age is unknown), or issued in the future (beyond a minute of clock skew).
   */
  validate(req: VerifiedTokenRequest, claims: TokenClaims): Actor | false {
    const { exp, iat } = claims;
    if (typeof exp !== 'number' || typeof iat !== 'number') return false;
    if (iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) return false;
    req.tokenExpiresAt = Math.min(exp, iat + this.ttlSeconds) * 1000;
    req.tokenGeneration = claims.gen ?? 0;
    return actorFromClaims(claims);
  }
}
