import { SetMetadata } from '@nestjs/common';
import type { Action, Subject } from './policy';

export const PERMISSION_KEY = 'access:permission';
export const PUBLIC_KEY = 'access:public';
export const AUTHENTICATED_KEY = 'access:authenticated';

export interface PermissionRequirement {
  action: Action;
  subject: Subject;
}

/** Declares what a route needs. Every route has this or @Public(); the guard refuses the rest. */
export const RequirePermission = (action: Action, subject: Subject): MethodDecorator & ClassDecorator =>
  SetMetadata(PERMISSION_KEY, { action, subject } satisfies PermissionRequirement);

/** Marks a route as open to anyone, unauthenticated. Said explicitly, never assumed. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** Open to any authenticated actor, whatever its role (e.g. `GET /me`). Also said explicitly. */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(AUTHENTICATED_KEY, true);
