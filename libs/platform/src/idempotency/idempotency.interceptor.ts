import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { Clock } from '../clock/clock';
import { UnitOfWork } from '../database/unit-of-work';
import { DomainError } from '../errors/domain-error';
import type { ActorRequest } from '../http/actor';
import { type HttpReply, replySent } from '../http/reply';
import { canonicalJson } from './canonical-json';
import type { IdempotentResponseHeaders } from './idempotency-record.entity';
import { IdempotencyStore, type IdempotentRequest, type StoredIdempotencyRecord } from './idempotency.store';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_KEY, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.constants';

/** 1 to 200 printable ASCII characters. */
const VALID_KEY = /^[\x20-\x7e]{1,200}$/;

/** Marks a request the interceptor has taken up, so that applying it twice (globally and per route) runs it once. */
const TAKEN_UP = Symbol('idempotency');

interface IdempotentHttpRequest extends ActorRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  [TAKEN_UP]?: true;
}

/** Response headers a replay repeats. */
const REPLAYED_HEADERS = ['Location', 'ETag'] as const;

function keyRequired(): DomainError {
  return new DomainError(
    'IDEMPOTENCY.KEY_REQUIRED',
    428,
    'Precondition Required',
    `Partner systems must send an ${IDEMPOTENCY_KEY_HEADER} header with every POST, so that a retry never acts twice.`,
    { errors: [{ field: IDEMPOTENCY_KEY_HEADER, message: `${IDEMPOTENCY_KEY_HEADER} is required for API clients` }] },
  );
}

export function idempotencyRequestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method}\n${url}\n${canonicalJson(body)}`)
    .digest('hex');
}

/**
 * `Idempotency-Key` for routes marked @Idempotent() (ARCHITECTURE.md §3): the first request with a
 * key runs; a retry with the same key and the same request replays its response without running
 * the handler; the same key with a different request answers 422; a retry while the first is still
 * running waits for it (up to `waitMs`) and replays, or answers 409 with Retry-After.
 *
 * `@Idempotent()` applies it to the route (routes that do not declare it never run it); it runs
 * after the guards, so `req.actor` is known, and before the pipes, so a request refused by
 * validation releases its key like any other error. Applied twice (also globally), it runs once.
 * A partner system (an API client) must send the header on every POST (428 otherwise); people may
 * omit it. Requests without the header, routes not marked, and requests without an actor pass through.
 *
 * The key is claimed in a statement of its own (so that concurrent requests see it and wait), then
 * the handler runs inside one transaction, a UnitOfWork, that locks the claim first and stores the
 * response in it last: the handler's writes and the key's record commit together or not at all.
 * A crash before that commit leaves nothing but an unlocked claim, which a retry takes over after
 * `staleAfterMs` and runs (once); a crash after it leaves the response, which a retry replays.
 * A claim whose owner holds its lock is never taken over, however long the owner takes.
 *
 * Limits: routes that send the response themselves (`@Res()` without passthrough) or stream it
 * are not cached (their work still commits with the release of the key).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    if (!this.reflector.getAllAndOverride<boolean>(IDEMPOTENT_KEY, [context.getHandler(), context.getClass()])) {
      return next.handle();
    }
    const req = context.switchToHttp().getRequest<IdempotentHttpRequest>();
    if (req[TAKEN_UP]) return next.handle();
    req[TAKEN_UP] = true;
    const res = context.switchToHttp().getResponse<HttpReply>();
    const header = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (header === undefined) {
      // A partner system retries on its own after a timeout: without a key, a retry acts twice.
      if (req.actor?.kind === 'client' && req.method === 'POST') throw keyRequired();
      return next.handle();
    }
    if (typeof header !== 'string' || !VALID_KEY.test(header)) {
      throw DomainError.validation([
        {
          field: IDEMPOTENCY_KEY_HEADER,
          message: `${IDEMPOTENCY_KEY_HEADER} must be 1 to 200 printable ASCII characters`,
        },
      ]);
    }
    // Keys are per actor; without one (a public route) there is nobody to keep them for.
    if (!req.actor) return next.handle();

    const url = req.originalUrl ?? req.url;
    const request: IdempotentRequest = {
      actorId: req.actor.id,
      key: header,
      method: req.method,
      path: url.split('?')[0].slice(0, 300),
      requestHash: idempotencyRequestHash(req.method, url, req.body),
    };
    const outcome = await this.claim(request, res);
    if (outcome.kind === 'replay') return of(this.replay(res, outcome.record));
    return this.run(request, outcome.startedAt, res, next);
  }

  /** Either this request now owns the key (and runs), or there is a completed response to replay. */
  private async claim(
    request: IdempotentRequest,
    res: HttpReply,
  ): Promise<{ kind: 'run'; startedAt: Date } | { kind: 'replay'; record: StoredIdempotencyRecord }> {
    const { staleAfterMs, waitMs, pollIntervalMs } = this.store.options;
    // Waiting is measured on the monotonic timer: the Clock is for what is stored (and tests stop it).
    const waitUntil = performance.now() + waitMs;
    for (;;) {
      const now = this.clock.now();
      if (await this.store.insert(request, now)) return { kind: 'run', startedAt: now };
      const record = await this.store.find(request.actorId, request.key);
      if (record === null) continue; // The first attempt failed and released the key in between.
      const expired = record.expiresAt.getTime() <= now.getTime();
      if (!expired && record.requestHash !== request.requestHash) {
        throw new DomainError(
          'IDEMPOTENCY.KEY_REUSED',
          422,
          'Unprocessable Content',
          `This ${IDEMPOTENCY_KEY_HEADER} was already used with a different request; use a new key for a new request.`,
        );
      }
      if (!expired && record.state === 'completed') return { kind: 'replay', record };
      const stale = record.createdAt.getTime() <= now.getTime() - staleAfterMs;
      if (expired || stale) {
        if (await this.store.takeOver(request, now, new Date(now.getTime() - staleAfterMs))) {
          return { kind: 'run', startedAt: now };
        }
        continue; // Another request took it over first: look again.
      }
      if (performance.now() >= waitUntil) throw this.inProgress(res);
      await sleep(pollIntervalMs);
    }
  }

  /**
   * Runs the handler inside one transaction (a UnitOfWork) that first locks the key's record and
   * at the end stores the response in it: the record commits with the handler's writes or not at
   * all. The services' own transactions become savepoints of it.
   */
  private async run(
    request: IdempotentRequest,
    startedAt: Date,
    res: HttpReply,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    const { actorId, key } = request;
    let uow: UnitOfWork;
    try {
      uow = await UnitOfWork.begin(this.store.db);
    } catch (err) {
      await this.store.release(actorId, key, startedAt).catch((e: unknown) => this.warn('release', e));
      throw err;
    }
    const tx = uow.queryRunner.manager;
    let locked: boolean;
    try {
      locked = await this.store.lock(tx, actorId, key, startedAt);
    } catch (err) {
      await uow.rollback().catch((e: unknown) => this.warn('rollback', e));
      await this.store.release(actorId, key, startedAt).catch((e: unknown) => this.warn('release', e));
      throw err;
    }
    if (!locked) {
      // Taken over as stale between our claim and our lock: the other request runs it.
      await uow.rollback().catch((e: unknown) => this.warn('rollback', e));
      throw this.inProgress(res);
    }
    return uow
      .run(() => next.handle())
      .pipe(
        // Errors are not kept: the same key may run again. What the handler's transactions
        // committed before the error (e.g. a match reference beside a 409) is kept, as it would
        // have been without the key.
        catchError((err: unknown) =>
          from(this.endAfterError(uow, request, startedAt)).pipe(mergeMap(() => throwError(() => err))),
        ),
        mergeMap(async (body: unknown) => {
          try {
            if (replySent(res) || body instanceof StreamableFile || Buffer.isBuffer(body)) {
              await this.store.release(actorId, key, startedAt, tx);
            } else {
              const headers: IdempotentResponseHeaders = {};
              for (const name of REPLAYED_HEADERS) {
                const value = res.getHeader(name);
                if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
              }
              const response = { statusCode: res.statusCode, body, headers };
              if (!(await this.store.complete(actorId, key, startedAt, response, this.clock.now(), tx))) {
                throw new Error('The idempotency record was lost while its lock was held');
              }
            }
            await uow.commit();
          } catch (err) {
            // Nothing of the handler's work is committed: the request failed, and may run again.
            await uow.rollback().catch((e: unknown) => this.warn('rollback', e));
            await this.store.release(actorId, key, startedAt).catch((e: unknown) => this.warn('release', e));
            throw err;
          }
          return body;
        }),
      );
  }

  private async endAfterError(uow: UnitOfWork, request: IdempotentRequest, startedAt: Date): Promise<void> {
    const { actorId, key } = request;
    try {
      await this.store.release(actorId, key, startedAt, uow.queryRunner.manager);
      await uow.commit();
    } catch (err) {
      // A statement failed outside any savepoint and took the transaction with it: nothing is kept.
      this.warn('commit after an error', err);
      await uow.rollback().catch((e: unknown) => this.warn('rollback', e));
      await this.store.release(actorId, key, startedAt).catch((e: unknown) => this.warn('release', e));
    }
  }

  private inProgress(res: HttpReply): DomainError {
    res.header('Retry-After', '1');
    return new DomainError(
      'IDEMPOTENCY.IN_PROGRESS',
      409,
      'Conflict',
      `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry shortly.`,
      { retryAfter: 1 },
    );
  }

  private replay(res: HttpReply, record: StoredIdempotencyRecord): unknown {
    res.status(record.statusCode ?? 200);
    for (const name of REPLAYED_HEADERS) {
      const value = record.responseHeaders?.[name];
      if (value !== undefined) res.header(name, value);
    }
    res.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return record.responseBody ?? undefined;
  }

  private warn(step: string, err: unknown): undefined {
    const e = err instanceof Error ? err : new Error(String(err));
    this.logger.warn({ err: { name: e.name, message: e.message } }, `Idempotency record ${step} failed`);
  }
}
