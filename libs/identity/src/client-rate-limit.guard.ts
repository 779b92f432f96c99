import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { type ActorRequest, DomainError } from '@app/platform';

/**
 * Per-client rate limit for partner systems (429 with Retry-After), counted per API client across
 * all its routes and all API instances (DatabaseThrottlerStorage). People are not throttled here
 * (their login is, separately). Every answer to a client says where it stands: X-RateLimit-Limit,
 * X-RateLimit-Remaining and X-RateLimit-Reset (seconds), the 429 included.
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ActorRequest>();
    return req.actor?.kind !== 'client';
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return `client:${(req as ActorRequest).actor?.id ?? 'anonymous'}`;
  }

  /** One count per client, whichever route it calls (the default key is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  /** The guard sets only Retry-After on a 429: the window's headers are sent with it, and a problem. */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<FastifyReply>();
    res.header('X-RateLimit-Limit', detail.limit);
    res.header('X-RateLimit-Remaining', 0);
    res.header('X-RateLimit-Reset', detail.timeToExpire);
    throw DomainError.tooManyRequests(detail.timeToBlockExpire);
  }
}
