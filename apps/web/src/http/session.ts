import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { FormState } from './forms';

/** What the web knows of the signed-in person: from GET /api/v1/me at sign-in. */
export interface SignedInUser {
  id: string;
  name: string;
  email: string | null;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  teamName: string | null;
  roles: string[];
  /** What the menus offer (the API decides every request anyway). */
  can: Capabilities;
}

export interface Capabilities {
  logConcern: boolean;
  decideConcerns: boolean;
  receiveReferrals: boolean;
  sendReferrals: boolean;
  triageReferrals: boolean;
  readChildren: boolean;
  addChronology: boolean;
  readAccessLog: boolean;
  breakGlass: boolean;
  receiveRequests: boolean;
  sendRequests: boolean;
  /** The partnership dashboard (oversight): managers, DSLs, the inspectorate, review leads. */
  readDashboard: boolean;
}

export interface SignedIn {
  /** The API's access token, sealed: the session table never holds a usable token. */
  sealedToken: string;
  /** When the API's token expires (ms since epoch): the session cannot outlive it. */
  tokenExpiresAt: number;
  user: SignedInUser;
}

/** What a child search asked, kept here so that names never travel in a URL. */
export interface ChildSearch {
  name: string;
  dateOfBirth: string;
  identifier: string;
  /** Where a chosen child goes: the record, or back into a form (log a concern). */
  purpose: 'record' | 'concern';
}

declare module 'express-session' {
  interface SessionData {
    auth?: SignedIn;
    /** Where to go after signing in (a path of this site). */
    returnTo?: string;
    /** Why the sign-in page is shown (e.g. the session ended). */
    signInNotice?: string;
    /** One-time success messages for the next page. */
    flash?: { heading: string; html?: string; text?: string }[];
    /** Values and errors of forms that failed, shown once by the page that redirected back. */
    forms?: Record<string, FormState>;
    childSearch?: ChildSearch;
    /** The answers so far of a multi-page form (log a concern), by form. */
    drafts?: Record<string, Record<string, string>>;
  }
}

const COOKIE = 'hub.sid';
export const SESSION_COOKIE = COOKIE;

function keyFrom(secret: string): Buffer {
  return createHash('sha256').update(`web-session-token|${secret}`).digest();
}

/** AES-256-GCM under a key derived from SESSION_SECRET. */
export function sealToken(token: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function openToken(sealed: string, secret: string): string | undefined {
  try {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Sessions kept in PostgreSQL (table web_session, created by a migration), their cookie httpOnly,
 * SameSite=Lax, Secure in production; rolling, so it lasts `idleMinutes` after the last request.
 */
export function sessionMiddleware(options: { pool: Pool; secret: string; idleMinutes: number; secure: boolean }): {
  middleware: RequestHandler;
  store: connectPgSimple.PGStore;
} {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: options.pool,
    tableName: 'web_session',
    createTableIfMissing: false,
    // Expired rows go every 10 minutes; a read never returns an expired one anyway.
    pruneSessionInterval: 600,
    errorLog: (...args: unknown[]) => console.error('session store:', ...args.map((a) => String(a))),
  });
  const middleware = session({
    name: COOKIE,
    store,
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      maxAge: options.idleMinutes * 60_000,
      path: '/',
    },
  });
  return { middleware, store };
}
