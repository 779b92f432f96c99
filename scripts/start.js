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
  // The worker serves no HTTP: it is ready once it says so.
  { name: 'worker', entry: 'apps/worker/src/main.js', readyLine: /"msg":"Worker running"/ },
  { name: 'web', entry: 'apps/web/src/main.js' },
];
const running = new Map();
let stopping = false;

// Both processes log through pino (libs/platform logging); a line in Nest's own JSON shape (`level: "log"`,
// `message`), e.g. from a tool, is still turned into pino's words for pino-pretty.
const NEST_LEVELS = { log: 'info', verbose: 'trace' };
function asPino(line) {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line);
    if (typeof entry !== 'object' || entry === null) return line;
    if (entry.msg === undefined && typeof entry.message === 'string') {
      entry.msg = entry.message;
      delete entry.message;
    }
    if (typeof entry.level === 'string' && NEST_LEVELS[entry.level]) entry.level = NEST_LEVELS[entry.level];
    if (entry.time === undefined && typeof entry.timestamp === 'number') {
      entry.time = entry.timestamp;
      delete entry.timestamp;
    }
    return JSON.stringify(entry);
  } catch {
    return line;
  }
}

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
    if (!noise.test(line)) pretty.write(`${asPino(line)}\n`);
  };
}

/** Starts a service; `ready` settles true when it prints its ready line (if it has one), false if it exits first. */
function start({ name, entry, readyLine }) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/run.js'), entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const print = output(name);
  let markReady = () => {};
  const ready = new Promise((resolve) => {
    markReady = resolve;
  });
  const write = (line) => {
    if (readyLine && readyLine.test(line)) markReady(true);
    print(line);
  };
  readline.createInterface({ input: child.stdout }).on('line', write);
  readline.createInterface({ input: child.stderr }).on('line', write);
  running.set(name, child);
  child.on('exit', (code, signal) => {
    markReady(false);
    running.delete(name);
    if (!stopping) {
      console.error(`${name} stopped unexpectedly (${signal ?? `exit ${code}`}): stopping the others.`);
      void stopAll(1);
    }
  });
  return { child, ready };
}

async function readyWithin(service, name, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not say it was ready within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([service.ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
  const worker = start(services[1]);
  start(services[2]);
  if (!(await waitFor(`http://127.0.0.1:${webPort}/health`, 'web', 60_000))) return;
  if (!(await readyWithin(worker, 'worker', 120_000))) return;
  const password = env.DEMO_PASSWORD || 'demo-password';
  // As the API decides (libs/platform config): seeded by default on the embedded database, never in production.
  const seedSetting =
    env.SEED_DEMO === undefined || env.SEED_DEMO === '' ? !env.DATABASE_URL : /^(true|1)$/.test(env.SEED_DEMO);
  const seeded = !production && seedSetting;
  const web = `http://localhost:${webPort}/`;
  const api = `http://localhost:${apiPort}/api/v1`;
  const docs = `http://localhost:${apiPort}/docs`;
  const signIn = seeded
    ? `Sign in as a demo user, e.g. social.worker@northshire-council.example or mash.officer@northshire-council.example, password "${password}" (all demo users: README.md).`
    : 'Sign in with an account of your database.';
  if (format === 'json') {
    // One log line like the others, so that a JSON log stream stays JSON.
    const entry = { level: 'info', service: 'start', msg: 'Safeguarding Hub is running', web, api, docs };
    console.log(JSON.stringify(seeded ? { ...entry, signIn } : entry));
    return;
  }
  console.log(
    [
      '',
      'Safeguarding Hub is running:',
      `  Web service   ${web}`,
      `  API           ${api}  (Swagger UI at ${docs})`,
      '  Worker        escalations, webhooks, audit sealing',
      signIn,
      'Press Ctrl-C to stop all three.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  void stopAll(1);
});
