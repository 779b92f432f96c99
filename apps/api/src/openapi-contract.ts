import { type INestApplication, type PipeTransform, type Type } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DECORATORS, type OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { PERMISSION_KEY, PUBLIC_KEY } from '@app/access';
import {
  FIELD_LIMITS,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_KEY,
  INPUT_LIMITS,
  PROBLEM_DESCRIPTIONS,
  type ProblemSpec,
  problemResponse,
  UuidParamPipe,
} from '@app/platform';

/* eslint-disable @typescript-eslint/no-explicit-any -- an OpenAPI document is walked as plain JSON */
type Json = Record<string, any>;
type Class = Type<unknown>;

/** What the document needs to know of one route, from the metadata its decorators left. */
interface Route {
  controller: string;
  handler: string;
  public: boolean;
  permission: boolean;
  idempotent: boolean;
  body?: Class;
  query?: Class;
  /** Path parameters checked as UUIDs by UuidParamPipe. */
  uuidParams: Set<string>;
  /** The types its responses name. */
  responses: unknown[];
}

const UUID_LENGTH = FIELD_LIMITS.uuid;
/** Longest text of a string with a format, for the strings the API writes (its validators bound what it reads). */
const FORMAT_MAX_LENGTH: Record<string, number> = {
  uuid: FIELD_LIMITS.uuid,
  date: FIELD_LIMITS.date,
  'date-time': FIELD_LIMITS.dateTime,
  uri: FIELD_LIMITS.url,
};

/** Response headers every answer to a partner system carries (ClientRateLimitGuard). */
export const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const;

const HEADER_COMPONENTS: Json = {
  'X-RateLimit-Limit': {
    description:
      'Sent to partner systems (API clients) on every answer once the token is accepted: requests allowed per ' +
      'window (one minute) for this client, across every route and every API instance.',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 1000000 },
  },
  'X-RateLimit-Remaining': {
    description: 'Sent to partner systems: requests left in the current window (0 on a 429).',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1000000 },
  },
  'X-RateLimit-Reset': {
    description: 'Sent to partner systems: seconds until the current window ends and the count starts again.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 3600 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 },
  },
  'Access-Control-Allow-Origin': {
    description:
      'Only for a browser request from an origin the deployment allows (CORS_ORIGINS; none by default): that origin. ' +
      'Server-to-server callers get none.',
    schema: { type: 'string', maxLength: FIELD_LIMITS.url, format: 'uri' },
  },
};
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * Completes the document Nest builds from the decorators into the partner contract (issue #17):
 * the limits each validator enforces, the problem answers every route can give, who may call it,
 * and the headers that come with the answers. It is built from the same metadata the running API
 * acts on, so the two cannot drift apart; a string or list the validators leave unbounded is an
 * error here, not a line in the document.
 */
export function completeContract(doc: OpenAPIObject, app: INestApplication): OpenAPIObject {
  const routes = routesOf(app);
  const classes = classesOf(routes);
  const problems: string[] = [];
  const d = doc as Json;
  d.components ??= {};
  d.components.headers = { ...HEADER_COMPONENTS, ...(d.components.headers ?? {}) };

  for (const [name, schema] of Object.entries<Json>(d.components.schemas ?? {})) {
    const cls = classes.get(name);
    if (cls) applyValidation(schema.properties ?? {}, cls, `schema ${name}`, problems);
  }

  for (const [path, item] of Object.entries<Json>(d.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const route = routeFor(routes, op.operationId);
      if (!route) {
        problems.push(`${method.toUpperCase()} ${path}: no route metadata for ${op.operationId}`);
        continue;
      }
      completeParameters(op, route, `${method.toUpperCase()} ${path}`, problems);
      completeSecurity(op, route);
      completeResponses(op, route, method);
    }
  }

  // Partners reach whichever deployment serves the document; it says which it is.
  d.servers = (d.servers ?? []).map((server: Json) => ({ ...server, 'x-internal': false }));
  boundFormattedStrings(d);
  if (problems.length > 0) {
    throw new Error(`The OpenAPI document does not match the validators:\n  ${problems.join('\n  ')}`);
  }
  return doc;
}

function routesOf(app: INestApplication): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (Class & { prototype: Json }) | null;
      if (!controller) continue;
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const fn = controller.prototype[handler];
        if (handler === 'constructor' || typeof fn !== 'function') continue;
        if (Reflect.getMetadata(METHOD_METADATA, fn) === undefined) continue;
        const pick = (key: string): unknown => Reflect.getMetadata(key, fn) ?? Reflect.getMetadata(key, controller);
        const types: Class[] = Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ?? [];
        const args: Record<string, { index: number; data?: unknown; pipes?: PipeTransform[] }> =
          Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {};
        const route: Route = {
          controller: controller.name,
          handler,
          public: pick(PUBLIC_KEY) === true,
          permission: pick(PERMISSION_KEY) !== undefined,
          idempotent: pick(IDEMPOTENT_KEY) === true,
          uuidParams: new Set(),
          responses: Object.values<{ type?: unknown }>(Reflect.getMetadata(DECORATORS.API_RESPONSE, fn) ?? {}).map(
            (r) => r.type,
          ),
        };
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]);
          if (kind === RouteParamtypes.BODY && arg.data === undefined) route.body = types[arg.index];
          if (kind === RouteParamtypes.QUERY && arg.data === undefined) route.query = types[arg.index];
          if (kind === RouteParamtypes.PARAM && (arg.pipes ?? []).some((p) => p instanceof UuidParamPipe)) {
            route.uuidParams.add(String(arg.data));
          }
        }
        routes.set(`${controller.name}_${handler}`, route);
      }
    }
  }
  return routes;
}

const routeFor = (routes: Map<string, Route>, operationId: unknown): Route | undefined =>
  typeof operationId === 'string' ? routes.get(operationId) : undefined;

/** The classes behind the document's schemas: bodies, queries, responses and every type their properties name. */
function classesOf(routes: Map<string, Route>): Map<string, Class> {
  const found = new Map<string, Class>();
  const visit = (cls: unknown): void => {
    if (typeof cls !== 'function' || found.has(cls.name) || !cls.prototype) return;
    found.set(cls.name, cls as Class);
    const props: string[] = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, cls.prototype) ?? [];
    for (const key of props) {
      const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, cls.prototype, key.slice(1)) as
        { type?: unknown } | undefined;
      let type = meta?.type;
      if (Array.isArray(type)) type = type[0];
      // A lazy type (`type: () => X`) is a function without a prototype of its own fields.
      if (typeof type === 'function' && !type.prototype) type = (type as () => unknown)();
      visit(type);
    }
  };
  for (const route of routes.values()) {
    visit(route.body);
    visit(route.query);
    route.responses.forEach(visit);
  }
  return found;
}

interface Bounds {
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  enum?: unknown[];
  format?: string;
  maxItems?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  integer?: boolean;
}

/** What the validators of one property say, for the value itself and for each item of a list. */
function boundsOf(metas: ValidationMetadata[]): { own: Bounds; each: Bounds } {
  const own: Bounds = {};
  const each: Bounds = {};
  for (const m of metas) {
    if (m.type !== 'customValidation') continue;
    const b = m.each ? each : own;
    const [a, c] = m.constraints ?? [];
    switch (m.name ?? '') {
      case 'maxLength':
        b.maxLength = a;
        break;
      case 'minLength':
        b.minLength = a;
        break;
      case 'isLength':
        b.minLength = a;
        if (c !== undefined) b.maxLength = c;
        break;
      case 'isUuid':
        b.format = 'uuid';
        b.maxLength ??= UUID_LENGTH;
        break;
      case 'isIn':
        b.enum = a;
        break;
      case 'matches':
        b.pattern = a instanceof RegExp ? a.source : String(a);
        break;
      case 'arrayMaxSize':
        own.maxItems = a;
        break;
      case 'arrayMinSize':
        own.minItems = a;
        break;
      case 'min':
        b.minimum = a;
        break;
      case 'max':
        b.maximum = a;
        break;
      case 'isInt':
        b.integer = true;
        break;
      default:
        // Type and format checks (isString, isBoolean, ...) bound nothing the schema does not say.
        break;
    }
  }
  return { own, each };
}

/** Writes validator bounds into a schema; a bound the document states differently is a problem. */
function applyBounds(schema: Json, bounds: Bounds, where: string, problems: string[]): void {
  const isString = schema.type === 'string';
  const isNumber = schema.type === 'number' || schema.type === 'integer';
  const set = (key: keyof Bounds & string, value: unknown) => {
    if (value === undefined) return;
    if (schema[key] !== undefined && JSON.stringify(schema[key]) !== JSON.stringify(value) && key !== 'enum') {
      problems.push(`${where}: the document says ${key} ${JSON.stringify(schema[key])}, the validator ${value}`);
    }
    schema[key] = value;
  };
  if (isString) {
    set('maxLength', bounds.maxLength);
    set('minLength', bounds.minLength);
    set('pattern', bounds.pattern);
    set('format', bounds.format);
    if (bounds.enum && schema.enum === undefined) schema.enum = bounds.enum;
  }
  if (isNumber) {
    if (bounds.integer) {
      schema.type = 'integer';
      schema.format ??= 'int32';
    }
    set('minimum', bounds.minimum);
    set('maximum', bounds.maximum);
  }
}

function applyValidation(properties: Json, cls: Class, where: string, problems: string[]): void {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metas) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  for (const [name, list] of byProperty) {
    const schema = properties[name] as Json | undefined;
    if (!schema) continue;
    applyPropertyValidation(schema, list, `${where}.${name}`, problems);
  }
}

function applyPropertyValidation(schema: Json, metas: ValidationMetadata[], where: string, problems: string[]): void {
  const { own, each } = boundsOf(metas);
  if (schema.type === 'array') {
    if (own.maxItems === undefined) problems.push(`${where}: a list without @ArrayMaxSize`);
    else if (own.maxItems > INPUT_LIMITS.arrayItems) {
      problems.push(`${where}: @ArrayMaxSize(${own.maxItems}) is past the edge limit of ${INPUT_LIMITS.arrayItems}`);
    }
    for (const key of ['maxItems', 'minItems'] as const) {
      if (own[key] === undefined) continue;
      if (schema[key] !== undefined && schema[key] !== own[key]) {
        problems.push(`${where}: the document says ${key} ${schema[key]}, the validator ${own[key]}`);
      }
      schema[key] = own[key];
    }
    const items = (schema.items ?? {}) as Json;
    applyBounds(items, each, `${where}[]`, problems);
    if (items.type === 'string' && items.maxLength === undefined && items.enum === undefined) {
      problems.push(`${where}: strings in a list without @MaxLength(n, { each: true }) (or @IsIn, @IsUUID)`);
    }
    return;
  }
  applyBounds(schema, own, where, problems);
  if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) {
    problems.push(`${where}: a string without @MaxLength (or @Length, @IsIn, @IsUUID)`);
  }
}

function completeParameters(op: Json, route: Route, where: string, problems: string[]): void {
  const queryMetas = route.query
    ? getMetadataStorage().getTargetValidationMetadatas(route.query, '', false, false)
    : [];
  // OpenAPI ignores an Authorization header parameter: the security requirement says it.
  op.parameters = ((op.parameters ?? []) as Json[]).filter(
    (p) => !(p.in === 'header' && String(p.name).toLowerCase() === 'authorization'),
  );
  for (const param of op.parameters as Json[]) {
    param.schema ??= { type: 'string' };
    if (param.in === 'header' && param.name === IDEMPOTENCY_KEY_HEADER) {
      // As IdempotencyInterceptor checks it (VALID_KEY): 1 to 200 printable ASCII characters.
      param.schema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x20-\\x7E]{1,200}$' };
    }
    if (param.in === 'path' && route.uuidParams.has(param.name)) {
      param.schema = { type: 'string', format: 'uuid', maxLength: UUID_LENGTH };
    } else if (param.in === 'path') {
      problems.push(`${where}: path parameter ${param.name} is not checked by UuidParamPipe`);
    }
    if (param.in === 'query') {
      const metas = queryMetas.filter((m) => m.propertyName === param.name);
      if (metas.length === 0) problems.push(`${where}: query parameter ${param.name} has no validator`);
      else applyPropertyValidation(param.schema, metas, `${where} ?${param.name}`, problems);
    }
  }
}

function completeSecurity(op: Json, route: Route): void {
  if (route.public) {
    // Said explicitly: anyone may call it, without a token.
    op.security = [];
  } else if (!op.security?.length) {
    op.security = [{ bearer: [] }];
  }
}

/** The problem answers a route can give by what it is, beyond those it names itself. */
function problemsOf(op: Json, route: Route, method: string): ProblemSpec[] {
  const params = (op.parameters ?? []) as Json[];
  const specs: ProblemSpec[] = [400];
  if (!route.public) specs.push(401);
  if (route.permission) specs.push(403);
  if (params.some((p) => p.in === 'path')) specs.push(404);
  if (route.idempotent) {
    specs.push(
      [409, 'IDEMPOTENCY.IN_PROGRESS: a request with this Idempotency-Key is still running; retry after Retry-After.'],
      [422, 'IDEMPOTENCY.KEY_REUSED: this Idempotency-Key was used with a different request.'],
      [428, 'IDEMPOTENCY.KEY_REQUIRED: partner systems must send Idempotency-Key on every POST.'],
    );
  }
  if (params.some((p) => p.in === 'header' && p.name === 'If-Match')) {
    specs.push(412, [428, 'PRECONDITION_REQUIRED: send If-Match with the ETag you last read.']);
  }
  if (op.requestBody && ['post', 'put', 'patch'].includes(method)) specs.push(413);
  specs.push(429, 500, 503);
  return specs;
}

function completeResponses(op: Json, route: Route, method: string): void {
  const responses: Json = (op.responses ??= {});
  for (const spec of problemsOf(op, route, method)) {
    const [status, description] = Array.isArray(spec) ? spec : [spec, PROBLEM_DESCRIPTIONS[spec]];
    const existing = responses[status] as Json | undefined;
    if (!existing) responses[status] = problemResponse(description);
    else if (!existing.description) existing.description = description;
    // The route's own meaning stays; a second cause of the same status is added to it.
    else if (Array.isArray(spec) && !existing.description.includes(description)) {
      existing.description = `${existing.description} Or ${description}`;
    }
  }
  for (const [status, response] of Object.entries<Json>(responses)) {
    const code = Number(status);
    if (code >= 400) {
      // Every error is problem+json, whichever decorator documented it.
      response.content = problemResponse('').content;
    }
    const headers: Json = (response.headers ??= {});
    if (!route.public && (status.startsWith('2') || status.startsWith('4'))) {
      for (const name of RATE_LIMIT_HEADERS) headers[name] ??= headerRef(name);
    }
    if (code === 429 || code === 503 || (code === 409 && route.idempotent))
      headers['Retry-After'] ??= headerRef('Retry-After');
    headers['Access-Control-Allow-Origin'] ??= headerRef('Access-Control-Allow-Origin');
    if (Object.keys(headers).length === 0) delete response.headers;
  }
  // Keys in status order: the document reads the same way on every route.
  op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** Strings the API writes with a format (ids, dates) are as long as the format allows. */
function boundFormattedStrings(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(boundFormattedStrings);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  if (schema.type === 'string' && schema.maxLength === undefined && FORMAT_MAX_LENGTH[schema.format] !== undefined) {
    schema.maxLength = FORMAT_MAX_LENGTH[schema.format];
  }
  for (const value of Object.values(schema)) boundFormattedStrings(value);
}
