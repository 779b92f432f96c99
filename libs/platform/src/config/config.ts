import { createHash, randomBytes } from 'node:crypto';

/** Thrown at boot when the environment holds a bad value; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type NodeEnv = 'development' | 'production' | 'test';

export interface AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  databaseUrl: string | undefined;
  embeddedDbDir: string;
  allowEmbeddedDb: boolean;
  dbPoolMax: number;
  jwtSecret: string;
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  demoPassword: string;
  seedDemo: boolean;
  corsOrigins: string[];
  logLevel: string;
  loginMaxFailures: number;
  loginMaxFailuresPerIp: number;
  loginFailureWindowSeconds: number;
  trustProxy: boolean;
  breakGlassMinutes: number;
  clientRateLimitPerMinute: number;
  /** Days a published outbox event and its webhook delivery log are kept (replays within that time). */
  outboxRetentionDays: number;
  /** How often each API process re-reads revoked tokens (deactivations, role changes). */
  tokenRevocationPollSeconds: number;
  /** 32 bytes: seals secrets kept for reuse (webhook signing keys). */
  dataEncryptionKey: Buffer;
  /** True when no DATA_ENCRYPTION_KEY was given and the fixed development key is used. */
  dataEncryptionKeyIsDevelopment: boolean;
  /**
   * Webhooks may go to loopback, private and other non-public addresses, and over plain http:
   * local receivers in development and tests. Never in production.
   */
  webhookAllowPrivateTargets: boolean;
  /** Whistleblowing reports accepted per hour from everybody together (the limit needs no identity). */
  whistleblowingReportsPerHour: number;
  /** Wrong follow-up secrets accepted per reference per hour (known or not) before 429. */
  whistleblowingFollowUpFailuresPerHour: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Reads and validates the environment once, at boot. Every variable is documented in the README. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(databaseUrl);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid URL');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
    }
  }
  const allowEmbeddedDb = bool(env, 'ALLOW_EMBEDDED_DB', false);
  if (production && databaseUrl === undefined && !allowEmbeddedDb) {
    throw new ConfigError(
      'DATABASE_URL',
      'is required in production (the embedded database is for development; set ALLOW_EMBEDDED_DB=true to override)',
    );
  }

  let jwtSecret = env.JWT_SECRET ?? '';
  let jwtSecretGenerated = false;
  if (jwtSecret === '') {
    if (production) throw new ConfigError('JWT_SECRET', 'is required in production');
    // Development only: a fresh random secret per process; tokens die with the process.
    jwtSecret = randomBytes(32).toString('base64url');
    jwtSecretGenerated = true;
  } else if (jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  }

  const { key: dataEncryptionKey, development: dataEncryptionKeyIsDevelopment } = encryptionKey(env, production);

  const corsRaw = env.CORS_ORIGINS ?? '';
  const corsOrigins = corsRaw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError('CORS_ORIGINS', `holds "${origin}", which is not an origin like https://app.example`);
    }
  }

  const webhookAllowPrivateTargets = bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', !production);
  if (production && webhookAllowPrivateTargets) {
    throw new ConfigError('WEBHOOK_ALLOW_PRIVATE_TARGETS', 'must not be true in production');
  }

  const demoPassword = env.DEMO_PASSWORD || 'demo-password';
  const seedDefault = !production && databaseUrl === undefined;
  const seedDemo = bool(env, 'SEED_DEMO', seedDefault);
  if (production && seedDemo) throw new ConfigError('SEED_DEMO', 'must not be true in production');

  return {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    embeddedDbDir: env.EMBEDDED_DB_DIR || './.data',
    allowEmbeddedDb,
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 200),
    jwtSecret,
    jwtSecretGenerated,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 60, 900),
    demoPassword,
    seedDemo,
    corsOrigins,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginMaxFailuresPerIp: int(env, 'LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100000),
    loginFailureWindowSeconds: int(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86400),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    breakGlassMinutes: int(env, 'BREAK_GLASS_MINUTES', 60, 5, 1440),
    clientRateLimitPerMinute: int(env, 'CLIENT_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    outboxRetentionDays: int(env, 'OUTBOX_RETENTION_DAYS', 30, 1, 3650),
    tokenRevocationPollSeconds: int(env, 'TOKEN_REVOCATION_POLL_SECONDS', 5, 1, 60),
    dataEncryptionKey,
    dataEncryptionKeyIsDevelopment,
    webhookAllowPrivateTargets,
    whistleblowingReportsPerHour: int(env, 'WHISTLEBLOWING_REPORTS_PER_HOUR', 60, 1, 100_000),
    whistleblowingFollowUpFailuresPerHour: int(env, 'WHISTLEBLOWING_FOLLOW_UP_FAILURES_PER_HOUR', 10, 1, 1000),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * DATA_ENCRYPTION_KEY: 32 random bytes, as 64 hex characters or base64 (e.g. `openssl rand -base64
 * 32`). Required in production. Elsewhere a fixed development key is used, so that what the
 * embedded database keeps across restarts can still be opened; it protects nothing.
 */
function encryptionKey(env: Env, production: boolean): { key: Buffer; development: boolean } {
  const raw = (env.DATA_ENCRYPTION_KEY ?? '').trim();
  if (raw === '') {
    if (production) throw new ConfigError('DATA_ENCRYPTION_KEY', 'is required in production (32 random bytes, base64)');
    return { key: createHash('sha256').update('safeguarding-hub development data key').digest(), development: true };
  }
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('DATA_ENCRYPTION_KEY', 'must be 32 bytes, as 64 hex characters or base64');
  }
  return { key, development: false };
}
