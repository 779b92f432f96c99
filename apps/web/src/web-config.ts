import { randomBytes } from 'node:crypto';

/** Thrown at boot when the environment holds a bad value; the message names the variable. */
export class WebConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'WebConfigError';
  }
}

export interface WebConfig {
  production: boolean;
  port: number;
  /** Where the API answers, e.g. http://127.0.0.1:3000 (no trailing slash). */
  apiUrl: string;
  /** Sessions live in this PostgreSQL; unset: the embedded one the API serves (see session-database.ts). */
  databaseUrl: string | undefined;
  embeddedDbDir: string;
  /** Signs the session cookie and seals the access token kept in the session. */
  sessionSecret: string;
  sessionSecretGenerated: boolean;
  /** Minutes without a request before the session ends (the API's token ends it sooner: 15 minutes). */
  sessionIdleMinutes: number;
  /** Seconds before the session ends at which pages warn (with JavaScript). */
  timeoutWarningSeconds: number;
  logLevel: string;
  trustProxy: boolean;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new WebConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new WebConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Reads and validates the web service's environment once, at boot. */
export function loadWebConfig(env: Env = process.env): WebConfig {
  const nodeEnv = env.NODE_ENV || 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new WebConfigError('NODE_ENV', `must be development, production or test, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';

  const apiUrl = (env.API_URL || `http://127.0.0.1:${int(env, 'PORT', 3000, 1, 65535)}`).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch {
    throw new WebConfigError('API_URL', 'is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebConfigError('API_URL', 'must start with http:// or https://');
  }

  const databaseUrl = env.DATABASE_URL || undefined;
  if (production && databaseUrl === undefined && env.ALLOW_EMBEDDED_DB !== 'true') {
    throw new WebConfigError('DATABASE_URL', 'is required in production (sessions are kept in PostgreSQL)');
  }

  let sessionSecret = env.SESSION_SECRET ?? '';
  let sessionSecretGenerated = false;
  if (sessionSecret === '') {
    if (production) throw new WebConfigError('SESSION_SECRET', 'is required in production');
    // Development only: sessions die with the process.
    sessionSecret = randomBytes(32).toString('base64url');
    sessionSecretGenerated = true;
  } else if (sessionSecret.length < 32) {
    throw new WebConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }

  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new WebConfigError(
      'LOG_LEVEL',
      `must be fatal, error, warn, info, debug, trace or silent, got "${logLevel}"`,
    );
  }

  return {
    production,
    port: int(env, 'WEB_PORT', 3001, 0, 65535),
    apiUrl,
    databaseUrl,
    embeddedDbDir: env.EMBEDDED_DB_DIR || './.data',
    sessionSecret,
    sessionSecretGenerated,
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 15, 1, 480),
    timeoutWarningSeconds: int(env, 'SESSION_TIMEOUT_WARNING_SECONDS', 120, 10, 600),
    logLevel,
    trustProxy: env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1',
  };
}
