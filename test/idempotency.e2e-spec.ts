import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Body, type CanActivate, Controller, type ExecutionContext, Injectable, Post, Res } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { Response } from 'express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  type Actor,
  type ActorRequest,
  buildDataSourceOptions,
  type Clock,
  createValidationPipe,
  DomainError,
  IdempotencyInterceptor,
  IdempotencyModule,
  IdempotencyRecord,
  idempotencyRequestHash,
  IdempotencyStore,
  Idempotent,
  ManualClock,
  PlatformModule,
  ProblemDetailsFilter,
} from '@app/platform';
import { testConfig } from './support/app';

const EXECUTIONS = 'idempotency_spec_execution';
const WAIT_MS = 2_000;

class CreateThingDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsBoolean()
  failInStep2?: boolean;

  /** How long the handler takes, to make requests overlap. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_000)
  delayMs?: number;
}

@Controller('things')
class ThingsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Post()
  @Idempotent()
  async create(@Body() dto: CreateThingDto, @Res({ passthrough: true }) res: Response) {
    const [row] = (await this.db.query(`INSERT INTO ${EXECUTIONS} (route, name) VALUES ('create', $1) RETURNING id`, [
      dto.name,
    ])) as { id: string }[];
    if (dto.delayMs) await sleep(dto.delayMs);
    res.setHeader('Location', `/api/v1/things/${row.id}`);
    res.setHeader('ETag', '"1"');
    res.setHeader('X-Not-Replayed', 'first-only');
    return { id: row.id, name: dto.name, tags: ['a', 'b'], nested: { z: 1, a: [{ y: 2, b: null }] } };
  }

  @Post('failing')
  @Idempotent()
  async fail(@Body() dto: CreateThingDto) {
    await this.db.query(`INSERT INTO ${EXECUTIONS} (route, name) VALUES ('failing', $1)`, [dto.name]);
    throw DomainError.conflict('TEST.REFUSED', 'Refused on purpose.');
  }

  /** A use case in two transactions (write, then write again), failing in the second when asked to. */
  @Post('two-steps')
  @Idempotent()
  async twoSteps(@Body() dto: CreateThingDto) {
    const first = await this.db.transaction(async (tx) => {
      const [row] = (await tx.query(`INSERT INTO ${EXECUTIONS} (route, name) VALUES ('step-1', $1) RETURNING id`, [
        dto.name,
      ])) as { id: string }[];
      return row.id;
    });
    const second = await this.db.transaction(async (tx) => {
      const [row] = (await tx.query(`INSERT INTO ${EXECUTIONS} (route, name) VALUES ('step-2', $1) RETURNING id`, [
        dto.name,
      ])) as { id: string }[];
      if (dto.failInStep2) throw DomainError.conflict('TEST.STEP2', 'The second step refused.');
      return row.id;
    });
    return { first, second };
  }

  /** A statement outside any transaction fails after a write: the request's transaction is lost. */
  @Post('broken-statement')
  @Idempotent()
  async brokenStatement(@Body() dto: CreateThingDto) {
    await this.db.query(`INSERT INTO ${EXECUTIONS} (route, name) VALUES ('broken', $1)`, [dto.name]);
    await this.db.query('SELECT 1 / 0');
    return {};
  }

  /** Like a 409 that records what it found: the transaction commits, then the answer is an error. */
  @Post('refused-after-commit')
  @Idempotent()
  async refusedAfterCommit(@Body() dto: CreateThingDto) {
    await this.db.transaction((tx) =>
      tx.query(`INSERT INTO ${EXECUTIONS} (route, name) VALUES ('refused', $1)`, [dto.name]),
    );
    throw DomainError.conflict('TEST.REFUSED', 'Refused after recording.');
  }
}

/** Stands in for the authentication guard: the actor comes from a test header. */
@Injectable()
class TestActorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<ActorRequest & { headers: Record<string, string | undefined> }>();
    const id = req.headers['x-test-actor'];
    if (id) {
      req.actor = {
        kind: 'user',
        id,
        organisationId: id,
        organisationType: 'local_authority',
        teamId: null,
        roles: [],
        scopes: [],
      } satisfies Actor;
    }
    return true;
  }
}

describe('Idempotency-Key', () => {
  let app: NestExpressApplication;
  let db: DataSource;
  let http: ReturnType<typeof request>;
  let createdTable = false;
  const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));

  const executions = async (name: string): Promise<number> => {
    const [row] = (await db.query(`SELECT count(*)::int AS n FROM ${EXECUTIONS} WHERE name = $1`, [name])) as {
      n: number;
    }[];
    return row.n;
  };
  const recordOf = async (actorId: string, key: string): Promise<Record<string, any> | undefined> => {
    const rows = (await db.query('SELECT * FROM idempotency_record WHERE actor_id = $1 AND key = $2', [
      actorId,
      key,
    ])) as Record<string, any>[];
    return rows[0];
  };
  const post = (actor: string, body: object, key?: string, path = '/api/v1/things') => {
    const req = http.post(path).set('X-Test-Actor', actor).send(body);
    return key === undefined ? req : req.set('Idempotency-Key', key);
  };

  beforeAll(async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot(testConfig(), clock as Clock),
        TypeOrmModule.forRoot(buildDataSourceOptions(url, { entities: [IdempotencyRecord], migrations: [] })),
        IdempotencyModule.withOptions({ waitMs: WAIT_MS, pollIntervalMs: 50 }),
      ],
      controllers: [ThingsController],
      providers: [
        { provide: APP_GUARD, useClass: TestActorGuard },
        { provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    app.set('etag', false);
    app.setGlobalPrefix('api/v1');
    app.useGlobalPipes(createValidationPipe());
    await app.init();
    http = request(app.getHttpServer());
    db = app.get(DataSource);

    // Until the migration exists: the table exactly as the entity describes it.
    const [{ exists }] = (await db.query("SELECT to_regclass('public.idempotency_record') IS NOT NULL AS exists")) as {
      exists: boolean;
    }[];
    if (!exists) {
      await db.query(
        'CREATE TABLE "idempotency_record" ("actor_id" uuid NOT NULL, "key" character varying(200) NOT NULL, ' +
          '"method" character varying(10) NOT NULL, "path" character varying(300) NOT NULL, ' +
          '"request_hash" character varying(64) NOT NULL, "state" character varying(20) NOT NULL, ' +
          '"status_code" integer, "response_body" jsonb, "response_headers" jsonb, ' +
          '"created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, ' +
          '"expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, ' +
          "CONSTRAINT \"ck_idempotency_record_state\" CHECK (state IN ('in_progress', 'completed')), " +
          'CONSTRAINT "pk_idempotency_record" PRIMARY KEY ("actor_id", "key"))',
      );
      await db.query('CREATE INDEX "ix_idempotency_record_expires" ON "idempotency_record" ("expires_at")');
      createdTable = true;
    }
    await db.query(
      `CREATE TABLE ${EXECUTIONS} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), route varchar(20) NOT NULL, ` +
        'name varchar(200) NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())',
    );
  });

  afterAll(async () => {
    if (db?.isInitialized) {
      await db.query(`DROP TABLE IF EXISTS ${EXECUTIONS}`);
      if (createdTable) await db.query('DROP TABLE IF EXISTS idempotency_record');
    }
    await app?.close();
  });

  it('has a table that agrees with the entity', async () => {
    const pending = await db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('replays the first response (status, body, Location, ETag) without running the handler again', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const first = await post(actor, { name: 'replay-1', delayMs: 0 }, key).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.headers.location).toBe(`/api/v1/things/${first.body.id as string}`);

    // The same request, keys in another order: still the same request.
    const again = await post(actor, { delayMs: 0, name: 'replay-1' }, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers.etag).toBe('"1"');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['x-not-replayed']).toBeUndefined();
    expect(await executions('replay-1')).toBe(1);

    const record = await recordOf(actor, key);
    expect(record).toMatchObject({
      method: 'POST',
      path: '/api/v1/things',
      state: 'completed',
      status_code: 201,
      response_headers: { Location: first.headers.location, ETag: '"1"' },
    });
    expect(record!.request_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record!.expires_at.getTime() - record!.created_at.getTime()).toBe(24 * 3600 * 1000);
  });

  it('answers 422 to the same key with a different body, and runs nothing', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    await post(actor, { name: 'reuse-1' }, key).expect(201);
    const res = await post(actor, { name: 'reuse-2' }, key).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY.KEY_REUSED' });
    expect(await executions('reuse-2')).toBe(0);
  });

  it('answers 422 to the same key on another route', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    await post(actor, { name: 'route-1' }, key).expect(201);
    const res = await post(actor, { name: 'route-1' }, key, '/api/v1/things/failing').expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect(await executions('route-1')).toBe(1);
  });

  it('keeps keys per actor: the same key from another actor is another request', async () => {
    const key = randomUUID();
    const a = await post(randomUUID(), { name: 'actors-1' }, key).expect(201);
    const b = await post(randomUUID(), { name: 'actors-1' }, key).expect(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
    expect(await executions('actors-1')).toBe(2);
  });

  it('runs every request that carries no key', async () => {
    const actor = randomUUID();
    await post(actor, { name: 'nokey-1' }).expect(201);
    await post(actor, { name: 'nokey-1' }).expect(201);
    expect(await executions('nokey-1')).toBe(2);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(201)],
    ['not ASCII', 'clé-1'],
    ['a control character', 'a\tb'],
  ])('answers 400 naming the header for a key that is %s', async (_, key) => {
    const res = await post(randomUUID(), { name: 'badkey-1' }, key).expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'Idempotency-Key', message: expect.any(String) }],
    });
    expect(await executions('badkey-1')).toBe(0);
  });

  it('accepts a key of 200 printable characters', async () => {
    const key = '!~ '.repeat(66) + 'ab';
    expect(key).toHaveLength(200);
    const actor = randomUUID();
    await post(actor, { name: 'longkey-1' }, key).expect(201);
    await post(actor, { name: 'longkey-1' }, key).expect(201).expect('Idempotent-Replayed', 'true');
    expect(await executions('longkey-1')).toBe(1);
  });

  it('does not keep errors: a retry with the same key runs again', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const first = await post(actor, { name: 'error-1' }, key, '/api/v1/things/failing').expect(409);
    expect(first.body.code).toBe('TEST.REFUSED');
    expect(await recordOf(actor, key)).toBeUndefined();
    const retry = await post(actor, { name: 'error-1' }, key, '/api/v1/things/failing').expect(409);
    expect(retry.body.code).toBe('TEST.REFUSED');
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await executions('error-1')).toBe(2);
  });

  it('releases the key when validation refuses the body', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    await post(actor, { name: 'invalid-1', unknown: true }, key).expect(400);
    await post(actor, { name: 'invalid-1' }, key).expect(201);
    expect(await executions('invalid-1')).toBe(1);
  });

  it('runs the handler exactly once for concurrent identical requests; the others wait and replay', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(actor, { name: 'concurrent-1', delayMs: 300 }, key)),
    );
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    // The same body, compared as JSON: jsonb keeps no key order.
    for (const r of answers) expect(r.body).toEqual(answers[0].body);
    expect(new Set(answers.map((r) => r.headers.location)).size).toBe(1);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    expect(await executions('concurrent-1')).toBe(1);
  });

  it('answers 422 to a concurrent different request with the same key, running only the first', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const first = post(actor, { name: 'concurrent-3', delayMs: 300 }, key).then((r) => r);
    await sleep(100);
    const second = await post(actor, { name: 'concurrent-4', delayMs: 300 }, key);
    expect(second.status).toBe(422);
    expect((await first).status).toBe(201);
    expect(await executions('concurrent-3')).toBe(1);
    expect(await executions('concurrent-4')).toBe(0);
  });

  it('stays exactly-once over many rounds of concurrent identical requests', async () => {
    const actor = randomUUID();
    for (let round = 0; round < 10; round++) {
      const key = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(actor, { name: `rounds-${round}`, delayMs: 20 }, key)),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(await executions(`rounds-${round}`)).toBe(1);
    }
  });

  it('runs concurrent requests with different keys independently', async () => {
    const actor = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(actor, { name: 'concurrent-2', delayMs: 50 }, randomUUID())),
    );
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(await executions('concurrent-2')).toBe(5);
  });

  const insertInProgress = (actor: string, key: string, body: object, startedAt: Date) =>
    db.query(
      `INSERT INTO idempotency_record (actor_id, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ($1, $2, 'POST', '/api/v1/things', $3, 'in_progress', $4, $5)`,
      [
        actor,
        key,
        idempotencyRequestHash('POST', '/api/v1/things', body),
        startedAt,
        new Date(startedAt.getTime() + 24 * 3600 * 1000),
      ],
    );

  it('answers 409 with Retry-After while the first request is still running (after waiting for it)', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const body = { name: 'inprogress-1' };
    // Younger than staleAfterMs (10 s): a request between its claim and its lock, or on another process.
    await insertInProgress(actor, key, body, new Date(clock.now().getTime() - 5_000));
    const started = performance.now();
    const res = await post(actor, body, key).expect(409);
    expect(performance.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 50);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ status: 409, code: 'IDEMPOTENCY.IN_PROGRESS' });
    expect(await executions('inprogress-1')).toBe(0);
  });

  it('answers 422 at once to a different request while the first is still running', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    await insertInProgress(actor, key, { name: 'inprogress-2' }, clock.now());
    const res = await post(actor, { name: 'inprogress-3' }, key).expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
  });

  it('takes over a stale in-progress record (a crashed request) and runs', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const body = { name: 'stale-1' };
    await insertInProgress(actor, key, body, new Date(clock.now().getTime() - 2 * 60_000));
    const res = await post(actor, body, key).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await executions('stale-1')).toBe(1);
    expect(await recordOf(actor, key)).toMatchObject({ state: 'completed', status_code: 201 });
    await post(actor, body, key).expect(201).expect('Idempotent-Replayed', 'true');
    expect(await executions('stale-1')).toBe(1);
  });

  it('lets exactly one of several concurrent retries take over a stale record', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const body = { name: 'stale-2', delayMs: 200 };
    await insertInProgress(actor, key, body, new Date(clock.now().getTime() - 2 * 60_000));
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(actor, body, key)));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    expect(await executions('stale-2')).toBe(1);
  });

  it('never takes over a request still running, however old its claim', async () => {
    const start = clock.now();
    try {
      const actor = randomUUID();
      const key = randomUUID();
      const body = { name: 'alive-1', delayMs: 600 };
      const first = post(actor, body, key).then((r) => r);
      while ((await recordOf(actor, key)) === undefined) await sleep(10);
      // The owner's claim now looks stale by the clock; its lock says it is alive.
      clock.advance(5 * 60_000);
      const retry = await post(actor, body, key);
      expect((await first).status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(await executions('alive-1')).toBe(1);
    } finally {
      clock.set(start);
    }
  });

  it('binds the key to a use case of two transactions: both commit with the record, and a replay runs neither', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const first = await post(actor, { name: 'two-1' }, key, '/api/v1/things/two-steps').expect(201);
    const again = await post(actor, { name: 'two-1' }, key, '/api/v1/things/two-steps').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${EXECUTIONS} WHERE name = 'two-1'`)) as {
      n: number;
    }[];
    expect(n).toBe(2);
  });

  it('keeps what an earlier transaction committed when a later one fails, and releases the key', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    const body = { name: 'two-2', failInStep2: true };
    const res = await post(actor, body, key, '/api/v1/things/two-steps').expect(409);
    expect(res.body.code).toBe('TEST.STEP2');
    const rows = (await db.query(`SELECT route FROM ${EXECUTIONS} WHERE name = 'two-2'`)) as { route: string }[];
    expect(rows).toEqual([{ route: 'step-1' }]);
    expect(await recordOf(actor, key)).toBeUndefined();
  });

  it('keeps the rows of a transaction that committed before the handler answered an error', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    await post(actor, { name: 'refused-1' }, key, '/api/v1/things/refused-after-commit').expect(409);
    expect(await executions('refused-1')).toBe(1);
    expect(await recordOf(actor, key)).toBeUndefined();
    // Errors are not replayed: the same key runs again (and records again).
    await post(actor, { name: 'refused-1' }, key, '/api/v1/things/refused-after-commit').expect(409);
    expect(await executions('refused-1')).toBe(2);
  });

  it('keeps nothing of a request whose statement failed outside any transaction, and releases the key', async () => {
    const actor = randomUUID();
    const key = randomUUID();
    await post(actor, { name: 'broken-1' }, key, '/api/v1/things/broken-statement').expect(500);
    expect(await executions('broken-1')).toBe(0);
    expect(await recordOf(actor, key)).toBeUndefined();
  });

  it('passes through routes that are not @Idempotent() and requests without an actor', async () => {
    const key = randomUUID();
    await http.post('/api/v1/things').set('Idempotency-Key', key).send({ name: 'anonymous-1' }).expect(201);
    await http.post('/api/v1/things').set('Idempotency-Key', key).send({ name: 'anonymous-1' }).expect(201);
    expect(await executions('anonymous-1')).toBe(2);
  });

  it('documents the header in OpenAPI', () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    const params = (doc.paths['/api/v1/things'].post?.parameters ?? []) as { name: string; in: string }[];
    expect(params).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
  });

  it('forgets a key after 24 hours, and purges expired records', async () => {
    const start = clock.now();
    try {
      const actor = randomUUID();
      const key = randomUUID();
      await post(actor, { name: 'expiry-1' }, key).expect(201);
      clock.advance(24 * 3600 * 1000 + 1);
      // Expired: the key is free again, even for another request.
      await post(actor, { name: 'expiry-2' }, key).expect(201);
      expect(await executions('expiry-2')).toBe(1);

      const other = randomUUID();
      await post(other, { name: 'expiry-3' }, randomUUID()).expect(201);
      const purged = await app.get(IdempotencyStore).purgeExpired(new Date(clock.now().getTime() + 24 * 3600 * 1000));
      expect(purged).toBeGreaterThanOrEqual(2);
      expect(await recordOf(actor, key)).toBeUndefined();
    } finally {
      clock.set(start);
    }
  });
});
