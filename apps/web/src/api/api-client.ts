import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Api = Client<paths>;
export type Schemas = components['schemas'];

export interface FieldProblem {
  field: string;
  message: string;
}

/** An answer of the API the web does not turn into a page of its own: kept as the API said it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string | undefined,
    readonly fieldErrors: FieldProblem[] = [],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(`API answered ${status}${code ? ` ${code}` : ''}`);
    this.name = 'ApiError';
  }
}

/** The API refused the token (expired or revoked): the person is signed out and asked to sign in again. */
export class SignedOutError extends Error {
  constructor(readonly detail?: string) {
    super('The API no longer accepts this session');
    this.name = 'SignedOutError';
  }
}

/**
 * A client of the API for one person: their token and the request id on every call. The token
 * stays on the server (it is never sent to the browser).
 */
export function apiFor(baseUrl: string, token: string | undefined, requestId: string, timing?: ApiTiming): Api {
  const headers: Record<string, string> = { 'X-Request-Id': requestId };
  if (token) headers.Authorization = `Bearer ${token}`;
  const client = createClient<paths>({ baseUrl, headers });
  if (timing) {
    const started = new WeakMap<Request, number>();
    client.use({
      onRequest({ request }) {
        started.set(request, performance.now());
      },
      onResponse({ request }) {
        const t = started.get(request);
        if (t !== undefined) timing.record(t, performance.now());
      },
    });
  }
  return client;
}

/** How long a page waited for the API: the calls, and the wall time they covered (calls overlap). */
export class ApiTiming {
  calls = 0;
  private spans: [number, number][] = [];

  record(start: number, end: number): void {
    this.calls++;
    this.spans.push([start, end]);
  }

  /** Milliseconds during which at least one API call was in flight. */
  waitedMs(): number {
    const spans = [...this.spans].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [from, to] = spans[0] ?? [0, 0];
    for (const [s, e] of spans.slice(1)) {
      if (s > to) {
        total += to - from;
        [from, to] = [s, e];
      } else to = Math.max(to, e);
    }
    return total + (to - from);
  }
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful answer, or the error the web handles: 401 signs the person out; 404
 * is passed through (a record they may not see is not found, exactly as the API says); a 400
 * names the fields.
 */
export function must<T>(result: Result<T>): T {
  const { response } = result;
  if (response.ok) return result.data as T;
  const problem = (result.error ?? {}) as {
    code?: string;
    detail?: string;
    errors?: FieldProblem[];
  } & Record<string, unknown>;
  if (response.status === 401) throw new SignedOutError(problem.detail);
  throw new ApiError(
    response.status,
    problem.code,
    problem.detail,
    Array.isArray(problem.errors) ? problem.errors : [],
    problem,
  );
}
