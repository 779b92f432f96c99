import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { LRUCache } from 'lru-cache';
import { PUBLIC_KEY } from '@app/access';
import { type Actor, type ActorRequest, DomainError } from '@app/platform';
import { TokenRevocations } from './token-revocations';

/**
 * Set by JwtStrategy on a request whose token it verified: when that token stops being good (epoch
 * ms): its `exp`, or its `iat` plus the token lifetime if sooner.
 */
export interface VerifiedTokenRequest extends ActorRequest {
  headers: Record<string, string | string[] | undefined>;
  tokenExpiresAt?: number;
  /** The token's `gen`: the user's or client's token generation when it was issued (0 when absent). */
  tokenGeneration?: number;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Every route needs a valid bearer token unless it is marked @Public().
 *
 * Passport verifies a token the first time it is seen; the actor it yields is then remembered
 * under the exact token string until the token's own expiry, so a client sending the same token
 * again skips the signature check and claim parsing (together ~8% of a child read's CPU). Only a
 * token that verified can be in the cache, and a changed byte is another key. Tokens are trusted
 * for their lifetime either way (15 minutes), and revocations are checked on every request, cached
 * or not: the cache changes no decision.
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  private readonly verified = new LRUCache<string, { actor: Actor; expiresAt: number; generation: number }>({
    max: 10_000,
  });

  constructor(
    private readonly reflector: Reflector,
    private readonly revocations: TokenRevocations,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const req = context.switchToHttp().getRequest<VerifiedTokenRequest>();
    const header = req.headers.authorization;
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (token !== undefined) {
      const hit = this.verified.get(token);
      if (hit !== undefined) {
        if (hit.expiresAt > Date.now()) {
          await this.refuseRevoked(hit.actor, hit.generation);
          req.actor = hit.actor;
          return true;
        }
        this.verified.delete(token);
      }
    }
    const ok = (await super.canActivate(context)) as boolean;
    const { actor, tokenExpiresAt: expiresAt, tokenGeneration: generation = 0 } = req;
    if (ok && actor !== undefined) await this.refuseRevoked(actor, generation);
    if (ok && token !== undefined && actor !== undefined && expiresAt !== undefined) {
      const ttl = expiresAt - Date.now();
      if (ttl > 0) this.verified.set(token, { actor, expiresAt, generation }, { ttl });
    }
    return ok;
  }

  /**
   * A person deactivated, or whose roles or team changed, or an API client deactivated, after the
   * token was issued: 401.
   */
  private async refuseRevoked(actor: Actor, generation: number): Promise<void> {
    if (await this.revocations.refuses(actor.kind, actor.id, generation)) {
      throw DomainError.unauthenticated(
        actor.kind === 'user'
          ? 'This token was issued before a change to your account; log in again.'
          : 'This token was issued before a change to the client; request a new one.',
      );
    }
  }

  // Passport's signature: (err, user, info, context).
  override handleRequest<T = Actor>(err: unknown, user: unknown, _info: unknown, context: ExecutionContext): T {
    if (err || !user) throw DomainError.unauthenticated('A valid bearer token is required.');
    context.switchToHttp().getRequest<ActorRequest>().actor = user as Actor;
    return user as T;
  }
}
