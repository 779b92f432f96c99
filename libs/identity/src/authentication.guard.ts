import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { PUBLIC_KEY } from '@app/access';
import { type Actor, type ActorRequest, DomainError } from '@app/platform';

/** Every route needs a valid bearer token unless it is marked @Public(). */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) {
      return true;
    }
    return super.canActivate(context);
  }

  // Passport's signature: (err, user, info, context).
  override handleRequest<T = Actor>(err: unknown, user: unknown, _info: unknown, context: ExecutionContext): T {
    if (err || !user) throw DomainError.unauthenticated('A valid bearer token is required.');
    context.switchToHttp().getRequest<ActorRequest>().actor = user as Actor;
    return user as T;
  }
}
