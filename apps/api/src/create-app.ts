import { type INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import type { Logger } from 'pino';
import { publishedEventNames } from '@app/casework';
import {
  answerMalformedRequest,
  AppLogger,
  bodyLimitFor,
  createValidationPipe,
  INPUT_LIMITS,
  logRequestCompleted,
  ProblemDetailsDto,
  requestIdOf,
  runWithRequestId,
} from '@app/platform';
import { AppModule, type AppOptions } from './app.module';
import { completeContract, RATE_LIMIT_HEADERS } from './openapi-contract';

/** Tags in the order a reader meets them, each with what it groups. */
const TAGS = (): [name: string, description: string][] => [
  [
    'machine API',
    "For other forces' and councils' systems (see docs/partner-api.md). Get a token with OAuth2 client credentials " +
      'at POST /api/v1/auth/token (scopes: referrals:write, requests:write, children:read, organisations:read); it ' +
      'acts for your organisation. Send an Idempotency-Key header on every POST: a retry with the same key replays ' +
      'the first answer. Each client is rate-limited per minute: every answer carries X-RateLimit-Limit, ' +
      'X-RateLimit-Remaining and X-RateLimit-Reset, and a 429 says Retry-After. Subscribe to webhooks at POST ' +
      `/api/v1/webhooks: events ${publishedEventNames().join(', ')} are POSTed as JSON, signed with ` +
      'Webhook-Signature: v1=hex(HMAC-SHA256(secret, ' +
      '"<Webhook-Timestamp>.<raw body>")), retried with backoff, and listed in the delivery log, from which any ' +
      'delivery can be replayed.',
  ],
  ['auth', 'Logging in (people), tokens for partner systems, and who the caller is.'],
  ['children', "The shared record of a child: identity, each agency's section, the chronology and its access log."],
  ['concerns', 'Worries about a child recorded by any practitioner, decided by their own organisation.'],
  ['referrals', 'Referrals between agencies, with their statutory clocks, team inboxes and decisions.'],
  ['information sharing', 'Agreements, information requests and the time-limited grants a disclosure gives.'],
  ['notifications', 'What the caller has been told of: referrals, decisions, grants, break-glass reads.'],
  ['organisations', 'The partner organisations and their teams.'],
  ['users', "People of the administrator's own organisation, and the role grants a second administrator decides."],
  ['api clients', "The administrator's own partner-system clients."],
  ['health', 'Liveness and readiness, for load balancers and orchestrators.'],
  [
    'childrens-services',
    "The council's child-protection process: cases, assessments, strategy discussions, s47 enquiries, conferences, plans.",
  ],
  ['returns', 'Statutory returns of a council: the DfE Children in Need census (its performance officer).'],
  ['health records', 'The protection-status look-up (CP-IS pattern): four answers, every look-up recorded.'],
  [
    'therapeutic support',
    "Survivors' therapeutic support plans: consent, key worker, reviews every 3 months, ended only with the person's view.",
  ],
  [
    'education',
    "Schools: the roll, staff concerns on a pupil, the DSL's safeguarding file and its transfer when a pupil moves.",
  ],
  [
    'police',
    'The police CSE unit: risk screenings, missing episodes, persons, vehicles and locations of interest, the ' +
      "network, problem profiles, cross-force matches and CAWNs. Police intelligence: the recording force's only.",
  ],
  [
    'whistleblowing',
    'Concerns about practice, made to the independent inspectorate, anonymously if the reporter wishes.',
  ],
  ['oversight', 'Who knew what and when about a child, its exports, and the partnership dashboard of overdue work.'],
];

export function buildOpenApi(app: INestApplication) {
  const builder = new DocumentBuilder()
    .setTitle('Safeguarding Hub API')
    .setDescription(
      "One shared record per child for police, children's services, schools and health. " +
        'People log in at /api/v1/auth/login; partner systems use OAuth2 client credentials at /api/v1/auth/token. ' +
        'Errors are application/problem+json (RFC 9457). Lists are cursor-paginated: ?limit=&cursor= -> {data, nextCursor}. ' +
        `Every request is bounded before anything reads it: a body of at most ${INPUT_LIMITS.bodyBytes} bytes ` +
        `(${INPUT_LIMITS.authBodyBytes} on /api/v1/auth/*; 413 past it), at most ${INPUT_LIMITS.keysPerObject} ` +
        `fields per object, ${INPUT_LIMITS.arrayItems} items per list, ${INPUT_LIMITS.depth} levels of nesting and ` +
        `${INPUT_LIMITS.values} values in all, no NUL character anywhere (400 naming the field); within those, each ` +
        'field has the limits its schema states (maxLength, maxItems), enforced by validation.',
    )
    .setVersion('1')
    .addServer(
      '/',
      'The deployment serving this document (production, staging or a local demo): every path starts with /api/v1 ' +
        'but the health checks.',
    )
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A JWT from POST /api/v1/auth/login (people) or POST /api/v1/auth/token (partner systems), following RFC8725 ' +
        '(JWT best current practices): HS256 only, the algorithm fixed by the server (never taken from the token), ' +
        'issuer and audience checked, exp and iat required, ' +
        'a lifetime of at most 15 minutes, revoked when the account or client is deactivated.',
    });
  for (const [name, description] of TAGS()) builder.addTag(name, description);
  const doc = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDetailsDto] });
  return completeContract(doc, app);
}

/** The security headers, computed once by helmet at start: every reply gets the same ones. */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => (headers[name] = String(value)),
    removeHeader: (name: string) => delete headers[name],
  };
  let done = false;
  helmet({
    // Swagger UI needs its inline script and styles on /docs; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'"],
        'style-src': ["'self'", "'unsafe-inline'", 'https:'],
      },
    },
  })({} as IncomingMessage, res as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not compute its headers synchronously');
  return headers;
}

/** Bodies the API reads: JSON (an object or an array, as Express's strict parser took) and forms. */
function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    // As Express did: an empty body is no body, and the top level is an object or an array.
    if (text.length === 0) return done(null, {});
    const first = /\S/.exec(text)?.[0];
    if (first !== '{' && first !== '[') return done(new InvalidJsonBody(), undefined);
    void parseJson(req, text, done);
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, { ...parse(body as string) });
  });
  // Each route's body limit (INPUT_LIMITS): the small one on /api/v1/auth/*.
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit = bodyLimitFor(route.url);
  });
}

/** As Fastify's own invalid-JSON error (a 400 the problem filter words). */
class InvalidJsonBody extends Error {
  override readonly name = 'FastifyError';
  readonly code = 'FST_ERR_CTP_INVALID_JSON_BODY';
  readonly statusCode = 400;
  constructor() {
    super("Body is not valid JSON but content-type is set to 'application/json'");
  }
}

/**
 * Per request, as little as it must: the request id (taken or made by `genReqId`) echoed and the
 * security headers copied from one object made at start; the id entered into the logging
 * context once the body is read (every log line of the request carries it); one log line at the
 * end, only when the level asks for it.
 */
function registerRequestHooks(fastify: FastifyInstance, logger: Logger): void {
  const headers = securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('X-Request-Id', request.id);
    done();
  });
  // After the body is parsed: what runs from here (guards, handler, filters) is in the request's context.
  fastify.addHook('preValidation', (request, _reply, done) => runWithRequestId(request.id, done));
  fastify.addHook('onResponse', (request, reply, done) => {
    logRequestCompleted(logger, request, reply.statusCode, reply.elapsedTime);
    done();
  });
}

/** Every route under /api/v1 but the health checks: shared by the app and the OpenAPI document. */
export function setGlobalPrefix(app: INestApplication): void {
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
}

/**
 * The API exactly as it runs in production: used by main.ts and by the e2e tests. On Fastify;
 * ready to serve once this resolves (routes registered, the Fastify instance ready).
 */
export async function createApp(options: AppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Client addresses as Express's 'trust proxy' gave them (X-Forwarded-For only when configured).
    trustProxy: options.config.trustProxy,
    // The largest route limit; each route gets its own (onRoute below).
    bodyLimit: INPUT_LIMITS.bodyBytes,
    genReqId: requestIdOf,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Request logging is ours (one line per request, the id on every line): no Fastify logger.
    logger: false,
  });
  const fastify = adapter.getInstance();
  registerBodyParsers(fastify);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(options), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Parsed by registerBodyParsers, within each route's size limit.
    bodyParser: false,
  });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  registerRequestHooks(fastify, logger.pino);
  // Requests Node's HTTP parser refuses (a NUL in a header) get problem+json too.
  const server = app.getHttpServer();
  server.removeAllListeners('clientError');
  server.on('clientError', answerMalformedRequest);
  app.enableCors(
    options.config.corsOrigins.length > 0
      ? {
          origin: options.config.corsOrigins,
          exposedHeaders: ['ETag', 'X-Request-Id', 'Location', 'Retry-After', ...RATE_LIMIT_HEADERS],
        }
      : { origin: false },
  );
  setGlobalPrefix(app);
  app.useGlobalPipes(createValidationPipe());
  SwaggerModule.setup('docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'docs-json' });
  await app.init();
  await fastify.ready();
  return app;
}
