import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..');

export interface TsChild {
  child: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Resolves with the first stdout line that parses as JSON and satisfies `match`. */
  waitFor<T = Record<string, unknown>>(match: (line: Record<string, unknown>) => boolean): Promise<T>;
  /** SIGKILL, and wait until the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, and wait until the process is gone. */
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry point of this repository in a child process (the sources through swc,
 * as Jest runs them), for tests that need a process they can kill.
 */
export function spawnTs(entry: string, env: Record<string, string | undefined> = {}): TsChild {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { match: (line: Record<string, unknown>) => boolean; resolve: (v: never) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failure: ((err: Error) => void)[] = [];
  child.once('exit', (code, signal) => {
    const err = new Error(`${entry} exited (${code ?? signal}) before the expected line:\n${output.slice(-4000)}`);
    for (const f of failure) f(err);
    failure = [];
  });
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += `${line}\n`;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const w of [...waiters]) {
      if (w.match(parsed)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed as never);
      }
    }
  });
  const gone = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    output: () => output,
    waitFor: <T>(match: (line: Record<string, unknown>) => boolean) =>
      new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`${entry} is not running:\n${output.slice(-4000)}`));
          return;
        }
        waiters.push({ match, resolve: resolve as (v: never) => void });
        failure.push(reject);
      }),
    kill9: () => gone('SIGKILL'),
    stop: () => gone('SIGTERM'),
  };
}
