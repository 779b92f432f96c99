import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { bodyLimitFor, INPUT_LIMITS } from '@app/platform';
import { buildOpenApi } from './create-app';
import { openApiFromCode } from './openapi-document';

// The document is walked as plain JSON.
type Json = Record<string, any>;

const resolve = (doc: Json, schema: Json | undefined): Json => {
  if (!schema) return {};
  if (schema.$ref) return resolve(doc, doc.components.schemas[String(schema.$ref).split('/').pop()!]);
  if (schema.allOf) {
    const parts = (schema.allOf as Json[]).map((s) => resolve(doc, s));
    return { type: 'object', properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) };
  }
  return schema;
};

/**
 * The most bytes a JSON value within the schema's limits can take: 6 bytes a character (a control
 * character written as \u001f), every list full, every field present.
 */
function worstBytes(doc: Json, schema: Json | undefined): number {
  const s = resolve(doc, schema);
  if (s.enum) return 2 + Math.max(...(s.enum as unknown[]).map((v) => JSON.stringify(v).length));
  switch (s.type) {
    case 'string':
      return 2 + 6 * (s.maxLength as number);
    case 'array':
      return 2 + (s.maxItems as number) * (worstBytes(doc, s.items) + 1);
    case 'object':
      return Object.entries<Json>(s.properties ?? {}).reduce(
        (n, [key, prop]) => n + key.length + 4 + worstBytes(doc, prop),
        2,
      );
    case 'boolean':
      return 5;
    default:
      return 24;
  }
}

function longestList(doc: Json, schema: Json | undefined): number {
  const s = resolve(doc, schema);
  if (s.type === 'array') return Math.max(s.maxItems as number, longestList(doc, s.items));
  if (s.type === 'object')
    return Math.max(0, ...Object.values<Json>(s.properties ?? {}).map((p) => longestList(doc, p)));
  return 0;
}

function depthOf(doc: Json, schema: Json | undefined, seen = 0): number {
  const s = resolve(doc, schema);
  if (s.type === 'array') return depthOf(doc, s.items, seen + 1);
  if (s.type === 'object') {
    return Math.max(seen + 1, ...Object.values<Json>(s.properties ?? {}).map((p) => depthOf(doc, p, seen + 1)));
  }
  return seen;
}

describe('the OpenAPI contract (issue #17)', () => {
  let doc: Json;
  beforeAll(async () => {
    doc = (await openApiFromCode()) as Json;
  });
  const operations = () =>
    Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
      Object.entries<Json>(item).map(([method, op]) => ({ path, method, op })),
    );

  it('documents on every operation the problems it can answer, as problem+json', () => {
    const missing: string[] = [];
    for (const { path, method, op } of operations()) {
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const expected = ['400', '429', '500', '503'];
      if (!isPublic) expected.push('401');
      if ((op.parameters ?? []).some((p: Json) => p.in === 'path')) expected.push('404');
      if ((op.parameters ?? []).some((p: Json) => p.name === 'If-Match')) expected.push('412', '428');
      if ((op.parameters ?? []).some((p: Json) => p.name === 'Idempotency-Key')) expected.push('409', '422', '428');
      if (op.requestBody) expected.push('413');
      for (const status of expected) if (!op.responses[status]) missing.push(`${method} ${path}: ${status}`);
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        if (Number(status) >= 400 && !response.content?.['application/problem+json']) {
          missing.push(`${method} ${path}: ${status} is not problem+json`);
        }
        if (!isPublic && /^[24]/.test(status) && !response.headers?.['X-RateLimit-Remaining']) {
          missing.push(`${method} ${path}: ${status} without X-RateLimit-Remaining`);
        }
        if (status === '429' && !response.headers?.['Retry-After']) missing.push(`${method} ${path}: 429 Retry-After`);
      }
    }
    expect(missing).toEqual([]);
    // The health checks and the two ways to a token are the only public operations.
    expect(
      operations()
        .filter(({ op }) => op.security?.length === 0)
        .map(({ method, path }) => `${method} ${path}`)
        .sort(),
    ).toEqual([
      'get /health',
      'get /health/ready',
      'post /api/v1/auth/login',
      'post /api/v1/auth/token',
      // Whistleblowing: anyone, signed in or not, anonymously (issue 16).
      'post /api/v1/whistleblowing/reports',
      'post /api/v1/whistleblowing/reports/follow-up',
      'post /api/v1/whistleblowing/reports/follow-up/messages',
    ]);
  });

  it('bounds every request so that it fits the edge limits: body size, depth, width and list length', () => {
    const problems: string[] = [];
    let largest = 0;
    for (const { path, method, op } of operations()) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      const bytes = worstBytes(doc, schema);
      largest = Math.max(largest, bytes);
      if (bytes > bodyLimitFor(path)) problems.push(`${method} ${path}: ${bytes} bytes > ${bodyLimitFor(path)}`);
      if (depthOf(doc, schema) > INPUT_LIMITS.depth) problems.push(`${method} ${path}: too deep`);
      if (longestList(doc, schema) > INPUT_LIMITS.arrayItems) problems.push(`${method} ${path}: a list too long`);
    }
    for (const [name, schema] of Object.entries<Json>(doc.components.schemas)) {
      if (Object.keys(schema.properties ?? {}).length > INPUT_LIMITS.keysPerObject) problems.push(`${name}: too wide`);
    }
    expect(problems).toEqual([]);
    // The largest body any route can need at its limits (the section notes) is well under 1 MB.
    expect(largest).toBeLessThan(INPUT_LIMITS.bodyBytes / 2);
  });

  it('refuses to build a document for a body whose string the validators leave unbounded', async () => {
    class UnboundedDto {
      @ApiProperty() @IsString() note!: string;
    }
    @Controller('probe')
    class ProbeController {
      @Post()
      create(@Body() dto: UnboundedDto) {
        return dto;
      }
    }
    @Module({ controllers: [ProbeController] })
    class ProbeModule {}
    const app = await NestFactory.create(ProbeModule, { preview: true, logger: false });
    try {
      expect(() => buildOpenApi(app)).toThrow(/schema UnboundedDto\.note: a string without @MaxLength/);
    } finally {
      await app.close();
    }
  });
});
