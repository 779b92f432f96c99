import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AbilityFactory, PERMISSION_KEY, type PermissionRequirement, PUBLIC_KEY } from '@app/access';
import type { Actor } from '@app/platform';
import { buildOpenApi } from '../../apps/api/src/create-app';
import { DEMO_CLIENTS, DEMO_USERS } from '../../apps/api/src/seed/demo-world';
import type { TestContext } from './app';

export type Schema = Record<string, any>;

export interface Operation {
  method: string;
  /** As the OpenAPI document writes it: `/api/v1/children/{id}`. */
  path: string;
  op: Schema;
}

/** Every operation of the app's own OpenAPI document, health checks aside. */
export function operationsOf(t: TestContext): { doc: Schema; operations: Operation[] } {
  const doc = buildOpenApi(t.app) as unknown as Schema;
  const operations: Operation[] = [];
  for (const [path, ops] of Object.entries<Schema>(doc.paths)) {
    if (path.startsWith('/health')) continue;
    for (const [method, op] of Object.entries<Schema>(ops)) operations.push({ method, path, op });
  }
  return { doc, operations };
}

/** Follows `$ref` and `allOf` to the schema's own properties. */
export function resolve(doc: Schema, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) return resolve(doc, doc.components.schemas[String(schema.$ref).split('/').pop()!]);
  if (schema.allOf) {
    const parts = (schema.allOf as Schema[]).map((s) => resolve(doc, s));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
    };
  }
  return schema;
}

type Requirement = 'public' | 'authenticated' | PermissionRequirement;

/** What each route declares, keyed like `GET /children/:id` (as in the route-permission snapshot). */
function requirements(t: TestContext): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
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
        out.set(key, pick<boolean>(PUBLIC_KEY) ? 'public' : (permission ?? 'authenticated'));
      }
    }
  }
  return out;
}

export interface Principal {
  name: string;
  kind: 'user' | 'client';
  /** Authorization header value; undefined for a public route. */
  authorization?: string;
}

/**
 * Finds, for each route, a demo user (or else a demo partner system) whose role may use it,
 * judged by the app's own AbilityFactory on the actor as the database holds it now; only the
 * principals chosen are logged in (once each).
 */
export function principals(t: TestContext) {
  const declared = requirements(t);
  const abilities = t.app.get(AbilityFactory, { strict: false });
  let actors: Promise<(Actor & { name: string })[]> | undefined;
  const tokens = new Map<string, Promise<string | null>>();

  const loadActors = async () => {
    const users: any[] = await t.db.query(
      `SELECT u.id, u.email AS name, u.roles, u.team_id, u.organisation_id, o.type
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.active AND u.email = ANY($1)`,
      [DEMO_USERS.map(([email]) => email)],
    );
    const clients: any[] = await t.db.query(
      `SELECT c.id, c.client_id AS name, c.scopes, c.organisation_id, o.type
         FROM api_client c JOIN organisation o ON o.id = c.organisation_id WHERE c.active AND c.client_id = ANY($1)`,
      [DEMO_CLIENTS.map(([clientId]) => clientId)],
    );
    const order = [...DEMO_USERS.map(([email]) => email), ...DEMO_CLIENTS.map(([clientId]) => clientId)];
    return [
      ...users.map((u) => ({ kind: 'user' as const, roles: u.roles, scopes: [], teamId: u.team_id, ...u })),
      ...clients.map((c) => ({ kind: 'client' as const, roles: [], teamId: null, ...c })),
    ]
      .map((a) => ({ ...a, organisationId: a.organisation_id, organisationType: a.type }))
      .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  };

  const login = (actor: Actor & { name: string }) => {
    let token = tokens.get(actor.name);
    if (token === undefined) {
      token = (async () => {
        if (actor.kind === 'user') return t.as(actor.name).catch(() => null);
        const res = await t.http
          .post('/api/v1/auth/token')
          .send({ grant_type: 'client_credentials', client_id: actor.name, client_secret: 'demo-client-secret' });
        return res.status === 200 ? `Bearer ${res.body.accessToken as string}` : null;
      })();
      tokens.set(actor.name, token);
    }
    return token;
  };

  return {
    async for(method: string, openApiPath: string): Promise<Principal> {
      const key = `${method.toUpperCase()} ${openApiPath.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`;
      const requirement = declared.get(key);
      if (requirement === undefined) throw new Error(`no route metadata for ${key}`);
      if (requirement === 'public') return { name: 'anonymous', kind: 'user' };
      actors ??= loadActors();
      for (const actor of await actors) {
        const allowed =
          requirement === 'authenticated' || abilities.for(actor).can(requirement.action, requirement.subject);
        const authorization = allowed ? await login(actor) : null;
        if (authorization) return { name: actor.name, kind: actor.kind, authorization };
      }
      throw new Error(`no demo principal may use ${key}`);
    },
  };
}
