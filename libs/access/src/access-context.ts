import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Actor, actorOf, DomainError } from '@app/platform';
import type { AppAbility } from './ability.factory';
import { abilityOf, type AbilityRequest } from './permission.guard';

/** Why data is being accessed, recorded with every access (`X-Purpose-Of-Use`). */
export const PURPOSES_OF_USE = [
  'direct_safeguarding',
  'referral_triage',
  'strategy_discussion',
  'case_review',
  'information_request',
  'inspection',
  'audit',
  'emergency',
] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

/** Everything a use case needs to decide and to record: who, with which rules, why, from where. */
export interface AccessContext {
  actor: Actor;
  ability: AppAbility;
  purpose: PurposeOfUse;
  requestId: string | null;
  clientIp: string | null;
}

export function defaultPurpose(actor: Actor): PurposeOfUse {
  return actor.roles.includes('inspector') ? 'inspection' : 'direct_safeguarding';
}

export const CurrentAccess = createParamDecorator((_: unknown, ctx: ExecutionContext): AccessContext => {
  const req = ctx.switchToHttp().getRequest<AbilityRequest & { headers: Record<string, unknown>; ip?: string }>();
  const actor = actorOf(req);
  const header = req.headers['x-purpose-of-use'];
  let purpose = defaultPurpose(actor);
  if (header !== undefined) {
    if (typeof header !== 'string' || !(PURPOSES_OF_USE as readonly string[]).includes(header)) {
      throw DomainError.validation([
        { field: 'X-Purpose-Of-Use', message: `X-Purpose-Of-Use must be one of ${PURPOSES_OF_USE.join(', ')}` },
      ]);
    }
    purpose = header as PurposeOfUse;
  }
  return {
    actor,
    ability: abilityOf(req),
    purpose,
    requestId: req.id !== undefined ? String(req.id) : null,
    clientIp: req.ip ?? null,
  };
});
