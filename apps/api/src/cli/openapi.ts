import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiFromCode, serialiseOpenApi } from '../openapi-document';
import { OPENAPI_JSON, typesFromOpenApi, WEB_CLIENT_TYPES } from './openapi-types';

/**
 * `npm run openapi`: writes the API's OpenAPI document (docs/openapi.json) from the code, and the
 * web's client types from that document. Review the diff of docs/openapi.json as an API change.
 * With `--out <file>` it writes the document there and nothing else (npm run lint:openapi).
 */
async function main(): Promise<void> {
  const root = resolve(__dirname, '../../../../..');
  const doc = await openApiFromCode();
  const json = serialiseOpenApi(doc);
  const out = process.argv.indexOf('--out');
  if (out > 0) {
    writeFileSync(resolve(process.argv[out + 1] ?? ''), json);
    return;
  }
  const jsonPath = resolve(root, OPENAPI_JSON);
  let before = '';
  try {
    before = readFileSync(jsonPath, 'utf8');
  } catch {
    // First run: nothing committed yet.
  }
  writeFileSync(jsonPath, json);
  writeFileSync(resolve(root, WEB_CLIENT_TYPES), typesFromOpenApi(root));
  console.log(
    `${OPENAPI_JSON}: ${before === json ? 'unchanged' : 'written'} (${Object.keys(doc.paths).length} paths); ${WEB_CLIENT_TYPES} written.`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
