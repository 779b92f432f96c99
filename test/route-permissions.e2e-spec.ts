import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AUTHENTICATED_KEY, PERMISSION_KEY, type PermissionRequirement, PUBLIC_KEY } from '@app/access';
import { startTestApp, type TestContext } from './support/app';

/** Every route of the running app with what it declares. */
function declaredRoutes(t: TestContext): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown> } | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const key = `${RequestMethod[method]} /${[base, path].filter((p) => p && p !== '/').join('/')}`;
        const pick = <T>(k: string): T | undefined =>
          Reflect.getMetadata(k, handler) ?? Reflect.getMetadata(k, controller);
        const permission = pick<PermissionRequirement>(PERMISSION_KEY);
        routes[key] = pick<boolean>(PUBLIC_KEY)
          ? 'public'
          : permission
            ? `${permission.action} ${permission.subject}`
            : pick<boolean>(AUTHENTICATED_KEY)
              ? 'any authenticated actor'
              : 'UNDECLARED';
      }
    }
  }
  return Object.fromEntries(Object.entries(routes).sort(([a], [b]) => a.localeCompare(b)));
}

describe('route permissions', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('every route declares a permission, @Authenticated() or @Public()', () => {
    const undeclared = Object.entries(declaredRoutes(t)).filter(([, p]) => p === 'UNDECLARED');
    expect(undeclared).toEqual([]);
  });

  // A diff here changes who can reach an endpoint: review it as a permission change.
  it('matches the reviewed permission table', () => {
    expect(declaredRoutes(t)).toMatchSnapshot();
  });

  it('refuses every non-public route to an anonymous caller with 401', async () => {
    const routes = Object.entries(declaredRoutes(t)).filter(([, p]) => p !== 'public');
    expect(routes.length).toBeGreaterThan(3);
    for (const [route] of routes) {
      const [method, path] = route.split(' ');
      const url = `/api/v1${path.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000')}`;
      const res = await (t.http as any)[method.toLowerCase()](url);
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
    }
  });
});
