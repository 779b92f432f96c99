// `npm start`: the API, the worker and the web service together, on the embedded database unless
// DATABASE_URL says otherwise. The API starts first (it migrates, seeds the demo world and serves
// the embedded database); the worker and the web join it once it is ready. Ctrl-C or SIGTERM stops
// all three; if one of them dies, the others are stopped too.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..');
const env = { ...process.env };
const apiPort = Number(env.PORT || 3000);
const webPort = Number(env.WEB_PORT || 3001);
const production = env.NODE_ENV === 'production';
const format = env.LOG_FORMAT || (process.stdout.isTTY && !production ? 'pretty' : 'json');

const services = [
  { name: 'api', entry: 'apps/api/src/main.js' },
  { name: 'worker', entry: 'apps/worker/src/main.js' },
  { name: 'web', entry: 'apps/web/src/main.js' },
];
const running = new Map();
let stopping = false;

/** Each line a service prints: as it is (JSON), or made readable in a terminal. */
function output(name) {
  if (format !== 'pretty') return (line) => process.stdout.write(`${line}\n`);
  const pretty = require('pino-pretty')({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    messageFormat: `${name.padEnd(6)} {msg}`,
    singleLine: true,
    destination: 1,
  });
  // Nest's start-up inventory (every module and route) is noise in a terminal; JSON keeps it.
  const noise = /"context":"(InstanceLoader|RoutesResolver|RouterExplorer)"/;
  return (line) => {
    if (!noise.test(line)) pretty.write(`${line}\n`);
  };
}

function start({ name, entry }) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/run.js'), entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const write = output(name);
  readline.createInterface({ input: child.stdout }).on('line', write);
  readline.createInterface({ input: child.stderr }).on('line', write);
  running.set(name, child);
  child.on('exit', (code, signal) => {
    running.delete(name);
    if (!stopping) {
      console.error(`${name} stopped unexpectedly (${signal ?? `exit ${code}`}): stopping the others.`);
      void stopAll(1);
    }
  });
  return child;
}

async function waitFor(url, name, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return false;
    if (!running.has(name)) return false;
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const exits = [...running.values()].map(
    (child) =>
      new Promise((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  process.exit(code);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

async function main() {
  start(services[0]);
  if (!(await waitFor(`http://127.0.0.1:${apiPort}/health/ready`, 'api', 180_000))) return;
  start(services[1]);
  start(services[2]);
  if (!(await waitFor(`http://127.0.0.1:${webPort}/health`, 'web', 60_000))) return;
  const password = env.DEMO_PASSWORD || 'demo-password';
  const seeded = env.SEED_DEMO !== 'false' && !env.DATABASE_URL;
  console.log(
    [
      '',
      'Safeguarding Hub is running:',
      `  Web service   http://localhost:${webPort}/`,
      `  API           http://localhost:${apiPort}/api/v1  (Swagger UI at http://localhost:${apiPort}/docs)`,
      '  Worker        escalations, webhooks, audit sealing',
      seeded || env.SEED_DEMO === 'true'
        ? `Sign in as a demo user, e.g. social.worker@northshire-council.example or mash.officer@northshire-council.example, password "${password}" (all demo users: README.md).`
        : 'Sign in with an account of your database.',
      'Press Ctrl-C to stop all three.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  void stopAll(1);
});
