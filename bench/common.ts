/**
 * Helpers shared by the benchmarks (run.ts: children, referrals.ts: referrals): environment,
 * database handling, starting servers as child processes, autocannon with exact percentiles,
 * CPU accounting and the results table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { postgresAuxiliaryPids } from './cpu';

export const ROOT = resolve(__dirname, '..', '..');
const env = process.env;

/** A whole number from the environment, or the fallback when unset or empty. */
export function int(name: string, fallback: number): number {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number`);
  return value;
}

/** The servers run as in production, which needs a data key; the bench stores no secrets. */
export const BENCH_DATA_KEY = env.DATA_ENCRYPTION_KEY ?? 'be'.repeat(32);

export const log = (msg: string): void => console.log(`[bench] ${msg}`);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const round = (x: number): number => Math.round(x * 100) / 100;

export async function withClient<T>(url: string, use: (c: Client) => Promise<T>, name = 'bench-run'): Promise<T> {
  const client = new Client({ connectionString: url, application_name: name });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Runs a compiled entry point (`node <args>`) from the repository root, output inherited. */
export function runNode(args: string[], extraEnv: Record<string, string>): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** Benchmarks only ever drop databases whose name says they are benchmark databases. */
export function assertBenchDb(db: string, variable = 'BENCH_DB'): void {
  if (!/bench/.test(db) || /^(test|postgres)$/.test(db)) throw new Error(`${variable} must name a bench database`);
}

export async function databaseExists(pgUrl: string, db: string): Promise<boolean> {
  return withClient(`${pgUrl}/postgres`, async (c) => {
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])).rowCount === 1;
  });
}

/** Drops and recreates `db`, then runs the migrations and the demo seed (as `npm run seed`). */
export async function recreateSeeded(pgUrl: string, db: string): Promise<void> {
  assertBenchDb(db);
  await withClient(`${pgUrl}/postgres`, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${db}"`);
  });
  await runNode(['scripts/run.js', 'apps/api/src/cli/seed.js'], {
    DATABASE_URL: `${pgUrl}/${db}`,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
  });
}

const started: ChildProcess[] = [];

/** Starts a compiled entry point as a child process and waits until it answers /health. */
export async function startServer(
  name: string,
  entry: string,
  port: number,
  extraEnv: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['scripts/run.js', entry], {
    cwd: ROOT,
    env: { ...env, ...extraEnv, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  started.push(child);
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let i = 0; i < 120; i++) {
    if (exited) throw new Error(`${name} exited during start-up`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(500);
  }
  throw new Error(`${name} did not answer /health on :${port}`);
}

export function stopServers(): void {
  for (const child of started) if (child.exitCode === null) child.kill('SIGTERM');
}

export async function login(port: number, email: string, password: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login as ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Exact quantile of sorted latencies (autocannon's histogram has no p95). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export interface LoadOptions {
  port: number;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  requests: autocannon.Request[];
}

/** One autocannon run; every 2xx response's latency is kept for exact percentiles. */
export function loadRun(o: LoadOptions): Promise<{ result: autocannon.Result; latencies: Float64Array }> {
  return new Promise((ok, fail) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${o.port}`,
        connections: o.connections,
        duration: o.seconds,
        headers: o.headers,
        requests: o.requests,
      },
      (err, result) => (err ? fail(err) : ok({ result, latencies: Float64Array.from(latencies).sort() })),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/** What every measured run reports: throughput, exact percentiles of 2xx latencies, failures. */
export interface LoadFigures {
  requests: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  meanBytes: number;
  autocannon: { p50: number; p99: number; avgReqPerSec: number };
}

export function loadFigures(result: autocannon.Result, latencies: Float64Array, seconds: number): LoadFigures {
  const requests = latencies.length;
  return {
    requests,
    reqPerSec: Math.round((result.requests.total / (result.duration || seconds)) * 10) / 10,
    p50: round(quantile(latencies, 0.5)),
    p95: round(quantile(latencies, 0.95)),
    p99: round(quantile(latencies, 0.99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    meanBytes: requests ? Math.round(result.throughput.total / requests) : 0,
    autocannon: { p50: result.latency.p50, p99: result.latency.p99, avgReqPerSec: result.requests.average },
  };
}

/** The processes whose CPU counts as the benchmark's: this one, its servers, their PostgreSQL backends. */
export async function benchPids(pgUrl: string, db: string): Promise<number[]> {
  const backends = await withClient(`${pgUrl}/postgres`, async (c) => {
    const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db]);
    return r.rows.map((row) => row.pid);
  });
  const servers = started.map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
  return [process.pid, ...servers, ...backends, ...postgresAuxiliaryPids()];
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg(),
  };
}

/** A Markdown table with padded columns; the first row is the header. */
export function markdownTable(rows: string[][], separator = true): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const head = separator ? [line(rows[0]), line(widths.map((w) => '-'.repeat(w)))] : [line(rows[0])];
  return [...head, ...rows.slice(1).map(line)].join('\n');
}
