import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@app/platform';
import { AppModule } from './app.module';
import { buildOpenApi, setGlobalPrefix } from './create-app';

/**
 * The OpenAPI document built from the code alone. Nest's preview mode resolves the module graph
 * without instantiating any provider, so no database (nor any other service) is needed.
 */
export async function openApiFromCode(): Promise<OpenAPIObject> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'openapi-preview-'.repeat(3), LOG_LEVEL: 'silent' });
  const app = await NestFactory.create(
    // Never connected to: preview mode builds no data source.
    AppModule.register({ config, databaseUrl: 'postgres://preview@127.0.0.1:1/none' }),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    setGlobalPrefix(app);
    return buildOpenApi(app);
  } finally {
    await app.close();
  }
}

/** The committed form of the document: stable key order as built, two-space indented, one final newline. */
export function serialiseOpenApi(doc: OpenAPIObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
