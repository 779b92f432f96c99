import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ActorRequest } from '@app/platform';

/**
 * Per-client rate limit for partner systems (429 with Retry-After), counted per API client across
 * all its routes and all API instances (DatabaseThrottlerStorage). People are not throttled here
 * (their login is, separately).
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
}
