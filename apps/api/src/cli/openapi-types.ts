import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const OPENAPI_JSON = 'docs/openapi.json';
/** The web's typed API client is generated from the committed document: API drift breaks its typecheck. */
export const WEB_CLIENT_TYPES = 'apps/web/src/api/schema.d.ts';

/**
 * TypeScript types (`paths`, `components`) for openapi-fetch, from an OpenAPI document file. Through
 * openapi-typescript's own command line: its library loads an ES module Jest cannot require.
 */
export function typesFromOpenApi(root: string, jsonPath = OPENAPI_JSON): string {
  const cli = resolve(root, 'node_modules/openapi-typescript/bin/cli.js');
  // The types are over 1 MB (execFileSync's default buffer) once every module's routes are in.
  return execFileSync(process.execPath, [cli, resolve(root, jsonPath)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}
