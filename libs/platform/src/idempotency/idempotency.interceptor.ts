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
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { Clock } from '../clock/clock';
import { DomainError } from '../errors/domain-error';
import type { ActorRequest } from '../http/actor';
import { canonicalJson } from './canonical-json';
import type { IdempotentResponseHeaders } from './idempotency-record.entity';
import { IdempotencyStore, type IdempotentRequest, type StoredIdempotencyRecord } from './idempotency.store';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_KEY, IDEMPOTENT_REPLAYED_HEADER } from './idempotent.decorator';

/** 1 to 200 printable ASCII characters. */
const VALID_KEY = /^[\x20-\x7e]{1,200}$/;

/** Response headers a replay repeats. */
const REPLAYED_HEADERS = ['Location', 'ETag'] as const;

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
 * Register globally (APP_INTERCEPTOR); it runs after the guards, so `req.actor` is known, and
 * before the pipes, so a request refused by validation releases its key like any other error.
 * Requests without the header, routes not marked, and requests without an actor pass through.
 *
 * Limits: the record is written outside the handler's transaction. A process that dies after the
 * handler committed but before the response was stored leaves an in-progress record that is taken
 * over (and the handler run again) after `staleAfterMs`; routes that send the response themselves
 * (`@Res()` without passthrough) or stream it are not cached.
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
    const req = context.switchToHttp().getRequest<Request & ActorRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (header === undefined) return next.handle();
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
    res: Response,
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
      if (performance.now() >= waitUntil) {
        res.setHeader('Retry-After', '1');
        throw new DomainError(
          'IDEMPOTENCY.IN_PROGRESS',
          409,
          'Conflict',
          `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry shortly.`,
          { retryAfter: 1 },
        );
      }
      await sleep(pollIntervalMs);
    }
  }

  private run(request: IdempotentRequest, startedAt: Date, res: Response, next: CallHandler): Observable<unknown> {
    const { actorId, key } = request;
    return next.handle().pipe(
      // Errors are not kept: a failed request (validation, conflict, a crash) changed nothing
      // worth replaying, and the failure may be transient, so the same key may simply run again.
      catchError((err: unknown) =>
        from(this.store.release(actorId, key, startedAt).catch((e: unknown) => this.warn('release', e))).pipe(
          mergeMap(() => throwError(() => err)),
        ),
      ),
      mergeMap(async (body: unknown) => {
        if (res.headersSent || body instanceof StreamableFile || Buffer.isBuffer(body)) {
          await this.store.release(actorId, key, startedAt).catch((e: unknown) => this.warn('release', e));
          return body;
        }
        const headers: IdempotentResponseHeaders = {};
        for (const name of REPLAYED_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        // The handler's work is done: a failure to record it must not turn its answer into an error.
        const stored = await this.store
          .complete(actorId, key, startedAt, { statusCode: res.statusCode, body, headers }, this.clock.now())
          .catch((e: unknown) => this.warn('complete', e));
        if (stored === false) this.logger.warn('Idempotency record was taken over before its response was stored');
        return body;
      }),
    );
  }

  private replay(res: Response, record: StoredIdempotencyRecord): unknown {
    res.status(record.statusCode ?? 200);
    for (const name of REPLAYED_HEADERS) {
      const value = record.responseHeaders?.[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return record.responseBody ?? undefined;
  }

  private warn(step: string, err: unknown): undefined {
    const e = err instanceof Error ? err : new Error(String(err));
    this.logger.warn({ err: { name: e.name, message: e.message } }, `Idempotency record ${step} failed`);
  }
}
