import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPENAPI_JSON, typesFromOpenApi, WEB_CLIENT_TYPES } from './cli/openapi-types';
import { openApiFromCode, serialiseOpenApi } from './openapi-document';

const root = resolve(__dirname, '../../..');

// A failure here means the API changed: run `npm run openapi` and review the diff of
// docs/openapi.json as an API change (the web's client types follow it, so its typecheck tells
// what the change breaks there).
describe('the committed OpenAPI document', () => {
  it('is the one the code builds (no database needed)', async () => {
    const committed = readFileSync(resolve(root, OPENAPI_JSON), 'utf8');
    const built = serialiseOpenApi(await openApiFromCode());
    expect(JSON.parse(built)).toEqual(JSON.parse(committed));
    expect(built).toBe(committed);
  });

  it("and the web client's types are generated from it", () => {
    const committed = readFileSync(resolve(root, WEB_CLIENT_TYPES), 'utf8');
    expect(typesFromOpenApi(root, OPENAPI_JSON)).toBe(committed);
  });

  it('names every route the API serves, with the bearer scheme', async () => {
    const doc = await openApiFromCode();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/children/{id}/chronology', '/api/v1/concerns/inbox']),
    );
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  // A `string | null` property without `type: String` reaches Swagger as TypeScript's `Object`: the
  // document then says "object" for a date or a name, and every typed client reads it wrong.
  it('types every property: none is an object with nothing in it', async () => {
    const doc = await openApiFromCode();
    const untyped = Object.entries(doc.components?.schemas ?? {}).flatMap(([name, schema]) =>
      Object.entries((schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {})
        .filter(
          ([, p]) => p.type === 'object' && !p.properties && !p.additionalProperties && !('$ref' in p) && !p.allOf,
        )
        .map(([prop]) => `${name}.${prop}`),
    );
    expect(untyped).toEqual([]);
  });
});
