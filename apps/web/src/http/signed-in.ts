import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type Api, apiFor, ApiTiming } from '../api/api-client';
import type { WebConfig } from '../web-config';
import { openToken, type SignedInUser } from './session';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id, sent to the API too: one id across both logs. */
    id: string;
    /** The API as the signed-in person (or anonymous before sign-in). */
    api: Api;
    /** The time this request spent waiting for the API (Server-Timing). */
    apiTiming: ApiTiming;
    user?: SignedInUser;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** A well-formed X-Request-Id from a gateway, or a new one; echoed back. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
}

/** The only paths a sign-in may return to: this site's, never another's (`//evil`, `/\evil`). */
export function safeReturnPath(path: string | undefined): string {
  return path && /^\/(?![/\\])[^\s]*$/.test(path) && !path.startsWith('/sign-') ? path : '/';
}

/**
 * Puts the API client on the request: with the person's token when signed in and the token has
 * not expired. An expired token ends the sign-in here (the API would say 401 anyway).
 */
export function apiContext(config: WebConfig): RequestHandler {
  return (req, res, next) => {
    const auth = req.session.auth;
    let token: string | undefined;
    if (auth) {
      token = Date.now() < auth.tokenExpiresAt ? openToken(auth.sealedToken, config.sessionSecret) : undefined;
      if (token) {
        req.user = auth.user;
        res.locals.user = auth.user;
        res.locals.can = auth.user.can;
        const idleEnd = Date.now() + config.sessionIdleMinutes * 60_000;
        res.locals.sessionEndsInSeconds = Math.floor((Math.min(idleEnd, auth.tokenExpiresAt) - Date.now()) / 1000);
      } else {
        delete req.session.auth;
        req.session.signInNotice = 'Your session ended. Sign in again to carry on.';
      }
    }
    req.apiTiming = new ApiTiming();
    req.api = apiFor(config.apiUrl, token, req.id, req.apiTiming);
    next();
  };
}

/** Pages for signed-in people: others go to sign in, and come back here (GET) afterwards. */
export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.method === 'GET') req.session.returnTo = safeReturnPath(req.originalUrl.split('?')[0]);
  res.redirect(303, '/sign-in');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are UUIDs: anything else is a page that does not exist (not a 400 from the API). */
export function uuidParam(_req: Request, res: Response, next: NextFunction, value: string): void {
  if (UUID.test(value)) return next();
  res.status(404).render('pages/not-found');
}
