import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { ApiError, SignedOutError } from './api/api-client';
import { noStore, securityHeaders } from './http/security';
import { SESSION_COOKIE, sessionMiddleware } from './http/session';
import { apiContext, requestId, requireSignIn } from './http/signed-in';
import { ASSETS, GOVUK, MOJ } from './paths';
import { childrenRoutes } from './routes/children.routes';
import { concernRoutes } from './routes/concerns.routes';
import { homeRoutes } from './routes/home.routes';
import { informationRequestRoutes } from './routes/information-requests.routes';
import { oversightRoutes } from './routes/oversight.routes';
import { referralRoutes } from './routes/referrals.routes';
import { signInRoutes } from './routes/sign-in.routes';
import { setUpViews } from './views';
import type { WebConfig } from './web-config';

export interface WebAppOptions {
  config: WebConfig;
  /** The PostgreSQL pool that keeps the sessions (table web_session). */
  sessionPool: Pool;
  logger: Logger;
}

export interface WebApp {
  app: Express;
  close(): Promise<void>;
}

/** The practitioners' web service: server-rendered pages, a client of the API with the person's token. */
export function createWebApp({ config, sessionPool, logger }: WebAppOptions): WebApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // Express's body-hash ETags would let a shared cache revalidate pages of child data.
  app.set('etag', false);
  setUpViews(app, config.production);

  app.use(requestId);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => (req as express.Request).id,
      // Method, path (never the query string), status and time; no headers (cookies), no bodies.
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          path: (req.url ?? '').split('?')[0],
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/assets/') || req.url === '/health' },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use(securityHeaders(config.production));

  const staticOptions = { maxAge: config.production ? '1d' : 0, index: false, redirect: false };
  app.use('/assets/app', express.static(ASSETS, staticOptions));
  app.use('/assets/govuk', express.static(`${GOVUK}/govuk`, staticOptions));
  app.use('/assets/moj', express.static(`${MOJ}/moj`, staticOptions));
  // GOV.UK Frontend's stylesheet finds its fonts and images under /assets.
  app.use('/assets', express.static(`${GOVUK}/govuk/assets`, staticOptions));
  app.use('/assets', express.static(`${MOJ}/moj/assets`, staticOptions));
  app.use('/assets', (_req, res) => res.status(404).end());
  app.get('/health', (_req, res) => res.json({ status: 'ok' }));

  app.use(noStore);
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));
  const sessions = sessionMiddleware({
    pool: sessionPool,
    secret: config.sessionSecret,
    idleMinutes: config.sessionIdleMinutes,
    secure: config.production,
  });
  app.use(sessions.middleware);
  // express-session sends a response's headers before its save completes, so a browser following a
  // redirect could read the session as it was: every redirect waits for the session to be stored.
  app.use((req, res, next) => {
    const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
    res.redirect = ((status: number, url: string) => {
      if (!req.session) return redirect(status, url);
      req.session.save((err) => (err ? next(err) : redirect(status, url)));
    }) as typeof res.redirect;
    next();
  });

  // CSRF: a synchroniser token in the session, a hidden field in every form; every POST is checked.
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : undefined),
  });
  app.use(csrfSynchronisedProtection);
  app.use(apiContext(config));
  app.use(serverTiming);
  app.use((req, res, next) => {
    res.locals.csrfToken = generateToken(req);
    res.locals.currentPath = req.path;
    res.locals.timeoutWarningSeconds = config.timeoutWarningSeconds;
    const flashes = req.session.flash;
    if (flashes) {
      res.locals.flash = flashes;
      delete req.session.flash;
    }
    next();
  });

  app.use(signInRoutes(config));
  app.use(homeRoutes());
  app.use(requireSignIn);
  app.use(concernRoutes());
  app.use(referralRoutes());
  app.use(childrenRoutes());
  app.use(informationRequestRoutes());
  app.use(oversightRoutes());

  app.use((_req, res) => res.status(404).render('pages/not-found'));
  app.use(errorHandler(logger));

  return { app, close: async () => sessions.store.close() };
}

/**
 * `Server-Timing` on every page: time waiting for the API (and how many calls), time rendering,
 * and the whole request: where a slow page spends its time, visible in the browser's tools.
 */
const serverTiming: RequestHandler = (req, res, next) => {
  const started = performance.now();
  res.render = ((view: string, locals?: object, callback?: (err: Error, html: string) => void) => {
    const t = performance.now();
    res.app.render(view, { ...res.locals, ...(locals ?? {}) }, (err: Error | null, html?: string) => {
      if (callback) return callback(err as Error, html as string);
      if (err) return next(err);
      const api = req.apiTiming;
      res.setHeader(
        'Server-Timing',
        [
          api ? `api;dur=${api.waitedMs().toFixed(1)};desc="${api.calls} calls"` : '',
          `render;dur=${(performance.now() - t).toFixed(1)}`,
          `total;dur=${(performance.now() - started).toFixed(1)}`,
        ]
          .filter(Boolean)
          .join(', '),
      );
      res.send(html);
    });
  }) as typeof res.render;
  next();
};

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof SignedOutError) {
      // The API refused the token (expired or revoked): end the session, ask to sign in again.
      logger.info({ requestId: req.id, reason: err.detail }, 'API refused the session token: signed out');
      const returnTo = req.method === 'GET' ? req.originalUrl.split('?')[0] : undefined;
      delete req.session.auth;
      req.session.signInNotice = 'Your session ended. Sign in again to carry on.';
      if (returnTo) req.session.returnTo = returnTo;
      return res.redirect(303, '/sign-in');
    }
    if (err instanceof ApiError && err.status === 404) {
      // A record the person may not see is not found, as the API says. Those allowed to open a
      // record in an emergency are offered that, for any id: it tells nothing of the record.
      const child = /^\/children\/([0-9a-f-]{36})(\/|$)/i.exec(req.path);
      const breakGlassChildId = child && req.user?.can.breakGlass ? child[1] : undefined;
      return res.status(404).render('pages/not-found', { breakGlassChildId });
    }
    if (err instanceof ApiError && err.status === 403) return res.status(403).render('pages/forbidden');
    const code = (err as { code?: string }).code;
    if (code === 'EBADCSRFTOKEN' || (err as { message?: string }).message === 'invalid csrf token') {
      return res.status(403).render('pages/form-expired');
    }
    if (err instanceof ApiError && err.status === 400) {
      // A request the web built and the API refused: a defect here (forms map the API's 400s).
      logger.error(
        { requestId: req.id, code: err.code, fields: err.fieldErrors.map((e) => `${e.field}: ${e.message}`) },
        'API refused a request the web built',
      );
      return res.status(400).render('pages/bad-request');
    }
    const status = (err as { status?: number }).status;
    if (status === 413 || status === 400) return res.status(400).render('pages/bad-request');
    logger.error(
      {
        requestId: req.id,
        err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err,
      },
      'Unhandled error',
    );
    res.status(err instanceof ApiError && err.status >= 500 ? 503 : 500).render('pages/error', { requestId: req.id });
  };
}

export { SESSION_COOKIE };
