import { createMongoAbility } from '@casl/ability';
import { unpackRules } from '@casl/ability/extra';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PERMISSION_KEY, type PermissionRequirement, PUBLIC_KEY } from '@app/access';
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
 * Finds, for each route, a demo user (or else a demo partner system) whose role may use it, by
 * its own permissions as GET /me reports them. Logs principals in lazily, once each.
 */
export function principals(t: TestContext) {
  const declared = requirements(t);
  const candidates: { name: string; kind: 'user' | 'client' }[] = [
    ...DEMO_USERS.map(([email]) => ({ name: email, kind: 'user' as const })),
    ...DEMO_CLIENTS.map(([clientId]) => ({ name: clientId, kind: 'client' as const })),
  ];
  const known = new Map<string, { authorization: string; can: (action: string, subject: string) => boolean }>();

  async function describe(name: string, kind: 'user' | 'client') {
    let entry = known.get(name);
    if (entry === undefined) {
      let authorization: string;
      if (kind === 'user') {
        authorization = await t.as(name);
      } else {
        const res = await t.http
          .post('/api/v1/auth/token')
          .send({ grant_type: 'client_credentials', client_id: name, client_secret: 'demo-client-secret' });
        if (res.status !== 200) throw new Error(`token for ${name}: ${res.status}`);
        authorization = `Bearer ${res.body.accessToken as string}`;
      }
      const me = await t.http.get('/api/v1/me').set('Authorization', authorization);
      if (me.status !== 200) throw new Error(`GET /me as ${name}: ${me.status}`);
      const ability = createMongoAbility(unpackRules(me.body.permissions) as Parameters<typeof createMongoAbility>[0]);
      entry = { authorization, can: (action, subject) => ability.can(action, subject) };
      known.set(name, entry);
    }
    return entry;
  }

  return {
    async for(method: string, openApiPath: string): Promise<Principal> {
      const key = `${method.toUpperCase()} ${openApiPath.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`;
      const requirement = declared.get(key);
      if (requirement === undefined) throw new Error(`no route metadata for ${key}`);
      if (requirement === 'public') return { name: 'anonymous', kind: 'user' };
      for (const candidate of candidates) {
        const entry = await describe(candidate.name, candidate.kind);
        if (requirement === 'authenticated' || entry.can(requirement.action, requirement.subject)) {
          return { ...candidate, authorization: entry.authorization };
        }
      }
      throw new Error(`no demo principal may use ${key}`);
    },
  };
}
