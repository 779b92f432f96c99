import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { type Actor, APP_CONFIG, type AppConfig } from '@app/platform';
import type { VerifiedTokenRequest } from './authentication.guard';
import { actorFromClaims, JWT_AUDIENCE, JWT_ISSUER, signingKey, type TokenClaims } from './token.service';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types say string | Buffer; jsonwebtoken takes the KeyObject as it is.
      secretOrKey: signingKey(config) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  validate(req: VerifiedTokenRequest, claims: TokenClaims): Actor {
    if (claims.exp !== undefined) req.tokenExpiresAt = claims.exp * 1000;
    req.tokenGeneration = claims.gen ?? 0;
    return actorFromClaims(claims);
  }
}
