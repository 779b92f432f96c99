import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor } from '@app/platform';
import { AbilityFactory } from './ability.factory';
import { Authenticated, Public, RequirePermission } from './permission.decorator';
import { PermissionGuard } from './permission.guard';

class Probe {
  undeclared() {}
  @Public() open() {}
  @Authenticated() anyone() {}
  @RequirePermission('read', 'User') readUsers() {}
}

const actor = (roles: string[]): Actor => ({
  kind: 'user',
  id: 'u1',
  organisationId: 'o1',
  organisationType: 'local_authority',
  teamId: null,
  roles,
  scopes: [],
});

function context(handler: keyof Probe, who?: Actor): ExecutionContext {
  const req = { actor: who };
  return {
    getHandler: () => Probe.prototype[handler],
    getClass: () => Probe,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

describe('PermissionGuard', () => {
  const guard = new PermissionGuard(new Reflector(), new AbilityFactory());

  it('refuses a route with no declaration, even to an administrator', () => {
    expect(() => guard.canActivate(context('undeclared', actor(['org_admin'])))).toThrow(/declares no permission/);
  });

  it('lets public routes through without an actor', () => {
    expect(guard.canActivate(context('open'))).toBe(true);
  });

  it('lets any authenticated actor through @Authenticated() routes', () => {
    expect(guard.canActivate(context('anyone', actor(['school_staff'])))).toBe(true);
  });

  it('checks the declared permission against the role policy', () => {
    expect(guard.canActivate(context('readUsers', actor(['org_admin'])))).toBe(true);
    expect(() => guard.canActivate(context('readUsers', actor(['social_worker'])))).toThrow(/may not read User/);
  });
});
