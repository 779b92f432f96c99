import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { actorOf, type ActorRequest, DomainError } from '@app/platform';
import { AbilityFactory, type AppAbility } from './ability.factory';
import { AUTHENTICATED_KEY, PERMISSION_KEY, type PermissionRequirement, PUBLIC_KEY } from './permission.decorator';

export interface AbilityRequest extends ActorRequest {
  ability?: AppAbility;
}

/**
 * Default deny: a route without a permission declaration is refused, whoever calls it.
 * The ability built here is kept on the request for the SQL and field checks downstream.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly abilities: AbilityFactory,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<PermissionRequirement | undefined>(PERMISSION_KEY, targets);
    const anyActor = this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_KEY, targets);
    if (!required && !anyActor) {
      throw DomainError.forbidden('This route declares no permission, so nobody may use it.');
    }
    const req = context.switchToHttp().getRequest<AbilityRequest>();
    const ability = this.abilities.for(actorOf(req));
    req.ability = ability;
    if (!required) return true;
    if (!ability.can(required.action, required.subject)) {
      throw DomainError.forbidden(`Your role may not ${required.action} ${required.subject}.`);
    }
    return true;
  }
}

export function abilityOf(req: AbilityRequest): AppAbility {
  if (!req.ability) throw DomainError.forbidden('No permission was checked for this request.');
  return req.ability;
}

/** The ability the guard built for this request's actor. */
export const CurrentAbility = createParamDecorator((_: unknown, ctx: ExecutionContext): AppAbility => {
  return abilityOf(ctx.switchToHttp().getRequest<AbilityRequest>());
});
