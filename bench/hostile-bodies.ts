/**
 * Issue #10, item 5: what hostile bodies cost a running API. Sends TWO login bodies with 50,000
 * unknown keys (~539 kB) at once, and one to an authenticated route without a token, while
 * polling GET /health every 20 ms; reports each answer's time, status and size, and /health's
 * latency meanwhile (the event-loop stall the bodies cause).
 *
 *   npm run build && API_URL=http://127.0.0.1:3000 node scripts/run.js bench/hostile-bodies.js
 */
import { round } from './common';

const API = process.env.API_URL ?? 'http://127.0.0.1:3000';
const KEYS = Number(process.env.KEYS ?? 50_000);

async function timed(path: string, body: string): Promise<{ ms: number; status: number; bytes: number }> {
  const start = performance.now();
  const res = await fetch(`${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { ms: round(performance.now() - start), status: res.status, bytes: Buffer.byteLength(text) };
}

async function main(): Promise<void> {
  const wide = JSON.stringify({
    email: 'nobody@example.invalid',
    password: 'x',
    ...Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 0])),
  });
  console.log(`[bench] body: ${KEYS} unknown keys, ${Buffer.byteLength(wide)} bytes; API ${API}`);
  await fetch(`${API}/health`); // warm

  const health: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const start = performance.now();
      await fetch(`${API}/health`);
      health.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  const answers = await Promise.all([
    timed('/api/v1/auth/login', wide),
    timed('/api/v1/auth/login', wide),
    timed('/api/v1/children', wide),
  ]);
  const wall = round(performance.now() - started);
  await new Promise((r) => setTimeout(r, 200));
  polling = false;
  await poller;

  const sorted = [...health].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        answers: [
          { route: 'POST /api/v1/auth/login', ...answers[0] },
          { route: 'POST /api/v1/auth/login', ...answers[1] },
          { route: 'POST /api/v1/children (no token)', ...answers[2] },
        ],
        wallMs: wall,
        health: {
          polls: sorted.length,
          p50Ms: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
          maxMs: round(sorted[sorted.length - 1] ?? 0),
        },
      },
      null,
      2,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
