import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { EmbeddedSocketServer } from './embedded-socket-server';

export interface EmbeddedPostgres {
  url: string;
  /** Stops the server if this process started it; a no-op when it joined another process's server. */
  stop(): Promise<void>;
}

interface Pointer {
  port: number;
  pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * The zero-setup database: PostgreSQL compiled to WASM (PGlite), served on loopback by
 * EmbeddedSocketServer so the ordinary `pg` driver talks to it exactly as to a real server.
 * A data directory can be opened by one process only, so a second process (the worker
 * next to the API) joins the running server through a pointer file instead of opening it.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: { maxConnections?: number; port?: number } = {},
): Promise<EmbeddedPostgres> {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const pointerFile = join(root, 'embedded.json');

  try {
    const pointer = JSON.parse(readFileSync(pointerFile, 'utf8')) as Pointer;
    if (pointer.pid !== process.pid && alive(pointer.pid) && (await reachable(pointer.port))) {
      return { url: urlFor(pointer.port), stop: async () => undefined };
    }
  } catch {
    // No pointer, or a stale one: start our own server below.
  }

  const db = await PGlite.create({ dataDir: join(root, 'pgdata'), extensions: { pg_trgm, unaccent, btree_gin } });
  const server = new EmbeddedSocketServer(db, {
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  const port = await server.start();
  writeFileSync(pointerFile, JSON.stringify({ port, pid: process.pid } satisfies Pointer));

  let stopped = false;
  return {
    url: urlFor(port),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      rmSync(pointerFile, { force: true });
      await server.stop();
      await db.close();
    },
  };
}

/** An in-memory embedded server (tests): nothing is written to disk. */
export async function startEphemeralPostgres(): Promise<EmbeddedPostgres> {
  const db = await PGlite.create({ extensions: { pg_trgm, unaccent, btree_gin } });
  const server = new EmbeddedSocketServer(db, { host: '127.0.0.1', port: 0, maxConnections: 100 });
  const port = await server.start();
  return {
    url: urlFor(port),
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

function urlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}
