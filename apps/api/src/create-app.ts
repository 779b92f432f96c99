import { type INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, type RequestHandler, urlencoded } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { publishedEventNames } from '@app/casework';
import {
  answerMalformedRequest,
  bodyLimitFor,
  createValidationPipe,
  INPUT_LIMITS,
  ProblemDetailsDto,
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

/** JSON and form bodies, each within its route's limit (INPUT_LIMITS): a larger one is a 413. */
function boundedBodyParsers(): RequestHandler {
  const byLimit = new Map<number, [RequestHandler, RequestHandler]>();
  return (req, res, next) => {
    const limit = bodyLimitFor(req.path);
    let parsers = byLimit.get(limit);
    if (parsers === undefined) {
      parsers = [json({ limit }), urlencoded({ limit, extended: true })];
      byLimit.set(limit, parsers);
    }
    const [parseJson, parseForm] = parsers;
    parseJson(req, res, (err?: unknown) => (err ? next(err) : parseForm(req, res, next)));
  };
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

/** The API exactly as it runs in production: used by main.ts and by the e2e tests. */
export async function createApp(options: AppOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(options), {
    bufferLogs: true,
    abortOnError: false,
    // Parsed below, within each route's size limit.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Requests Node's HTTP parser refuses (a NUL in a header) get problem+json too.
  app.getHttpServer().on('clientError', answerMalformedRequest);
  app.set('trust proxy', options.config.trustProxy);
  app.disable('x-powered-by');
  // ETags are explicit versions for If-Match; Express's body-hash ETags would be mistaken for them.
  app.set('etag', false);
  app.use(
    helmet({
      // Swagger UI needs its inline script and styles on /docs; everything else is JSON.
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", "'unsafe-inline'"],
          'style-src': ["'self'", "'unsafe-inline'", 'https:'],
        },
      },
    }),
  );
  app.enableCors(
    options.config.corsOrigins.length > 0
      ? {
          origin: options.config.corsOrigins,
          exposedHeaders: ['ETag', 'X-Request-Id', 'Location', 'Retry-After', ...RATE_LIMIT_HEADERS],
        }
      : { origin: false },
  );
  app.use(boundedBodyParsers());
  setGlobalPrefix(app);
  app.useGlobalPipes(createValidationPipe());
  SwaggerModule.setup('docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
