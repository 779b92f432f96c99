import { createServer } from 'node:http';
import { Pool } from 'pg';
import pino from 'pino';
import { sessionDatabaseUrl } from './session-database';
import { createWebApp } from './web-app';
import { loadWebConfig, WebConfigError } from './web-config';

async function main(): Promise<void> {
  const config = loadWebConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'web' } });
  if (config.sessionSecretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random secret for this process (sessions end when it stops)');
  }
  const databaseUrl = await sessionDatabaseUrl(config.databaseUrl, config.embeddedDbDir);
  const sessionPool = new Pool({ connectionString: databaseUrl, max: 4, application_name: 'safeguarding-hub-web' });
  sessionPool.on('error', (err) => logger.error({ err: err.message }, 'session database'));

  const web = createWebApp({ config, sessionPool, logger });
  const server = createServer(web.app);
  await new Promise<void>((done) => server.listen(config.port, '0.0.0.0', done));
  logger.info(`Web listening on :${config.port}; API at ${config.apiUrl}`);

  const shutdown = async (): Promise<void> => {
    server.close();
    server.closeAllConnections();
    await web.close();
    await sessionPool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err: unknown) => {
  console.error(err instanceof WebConfigError ? err.message : err instanceof Error ? err.stack : err);
  process.exit(1);
});
