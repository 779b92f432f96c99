import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working defaults for a newcomer with nothing configured', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.embeddedDbDir).toBe('./.data');
    expect(c.seedDemo).toBe(true);
    expect(c.accessTokenTtlSeconds).toBe(900);
    expect(c.demoPassword).toBe('demo-password');
    expect(c.jwtSecretGenerated).toBe(true);
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '3600' }, 'ACCESS_TOKEN_TTL_SECONDS'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ CORS_ORIGINS: 'https://ok.example,not an origin' }, 'CORS_ORIGINS'],
    [{ ALLOW_EMBEDDED_DB: 'yes' }, 'ALLOW_EMBEDDED_DB'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('refuses the embedded database in production unless explicitly allowed', () => {
    const secret = { JWT_SECRET: 'x'.repeat(40), DATA_ENCRYPTION_KEY: 'ab'.repeat(32) };
    expect(() => loadConfig({ NODE_ENV: 'production', ...secret })).toThrow(/DATABASE_URL is required in production/);
    const allowed = loadConfig({ NODE_ENV: 'production', ALLOW_EMBEDDED_DB: 'true', ...secret });
    expect(allowed.databaseUrl).toBeUndefined();
    expect(allowed.seedDemo).toBe(false);
  });

  it('requires a JWT secret and never seeds demo data in production', () => {
    const db = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app', DATA_ENCRYPTION_KEY: 'ab'.repeat(32) };
    expect(() => loadConfig(db)).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ ...db, JWT_SECRET: 'x'.repeat(40), SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
  });

  it('does not seed when a real database is configured, unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app', SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('requires a 32-byte data encryption key in production, and uses a fixed development key elsewhere', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app', JWT_SECRET: 'x'.repeat(40) };
    expect(() => loadConfig(prod)).toThrow(/DATA_ENCRYPTION_KEY is required in production/);
    expect(() => loadConfig({ ...prod, DATA_ENCRYPTION_KEY: 'too-short' })).toThrow(
      /DATA_ENCRYPTION_KEY must be 32 bytes/,
    );
    const hex = loadConfig({ ...prod, DATA_ENCRYPTION_KEY: '0f'.repeat(32) });
    expect(hex.dataEncryptionKey).toEqual(Buffer.alloc(32, 0x0f));
    expect(hex.dataEncryptionKeyIsDevelopment).toBe(false);
    const b64 = loadConfig({ ...prod, DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(b64.dataEncryptionKey).toEqual(Buffer.alloc(32, 7));
    const dev = loadConfig({});
    expect(dev.dataEncryptionKeyIsDevelopment).toBe(true);
    expect(dev.dataEncryptionKey).toEqual(loadConfig({}).dataEncryptionKey);
    expect(dev.dataEncryptionKey).toHaveLength(32);
  });

  it('lets webhooks reach private addresses outside production only, and never when production is asked to', () => {
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/app',
      JWT_SECRET: 'x'.repeat(40),
      DATA_ENCRYPTION_KEY: 'ab'.repeat(32),
    };
    expect(loadConfig(prod).webhookAllowPrivateTargets).toBe(false);
    expect(() => loadConfig({ ...prod, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' })).toThrow(
      /^Invalid configuration: WEBHOOK_ALLOW_PRIVATE_TARGETS must not be true in production/,
    );
    expect(loadConfig({}).webhookAllowPrivateTargets).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).webhookAllowPrivateTargets).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' }).webhookAllowPrivateTargets).toBe(false);
  });
});
