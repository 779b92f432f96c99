import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Messages after which a connection may give the backend up (if no transaction is open). */
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

/** A Parse PostgreSQL refuses, to abort an extended-protocol batch a connection left unsynced. */
const ABORT_BATCH = Buffer.concat([
  frame('P', Buffer.from('\0embedded server: connection closed mid-batch\0\0\0', 'utf8')),
  frame('S', Buffer.alloc(0)),
]);
const ROLLBACK = frame('Q', Buffer.from('ROLLBACK\0', 'utf8'));

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** One client connection and the whole messages it sent that the backend has not run yet. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  /** Whole messages waiting for the backend. */
  pending: Buffer[] = [];
  /** Until the startup packet: its messages have no type byte. */
  started = false;
  /** True after a Sync or simple Query: the last batch ended at a protocol boundary. */
  atBoundary = true;
  closed = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}

  /** Splits what arrived into whole messages; answers SSL/GSS requests itself. False: close it. */
  receive(chunk: Buffer): boolean {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return true;
        const length = this.buffer.readInt32BE(0);
        if (length < 8 || length > 10_000) return false;
        if (this.buffer.length < length) return true;
        const code = this.buffer.readInt32BE(4);
        const packet = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N'); // No encryption on loopback; the client goes on in clear.
          continue;
        }
        if (code === CANCEL_REQUEST) return false; // Not supported: the query runs to its end.
        this.started = true;
        this.pending.push(Buffer.from(packet));
        continue;
      }
      if (this.buffer.length < 5) return true;
      const length = 1 + this.buffer.readInt32BE(1);
      if (length < 5) return false;
      if (this.buffer.length < length) return true;
      this.pending.push(Buffer.from(this.buffer.subarray(0, length)));
      this.buffer = this.buffer.subarray(length);
    }
  }
}

export interface EmbeddedSocketServerOptions {
  host?: string;
  port?: number;
  maxConnections?: number;
}

/**
 * Serves one PGlite backend to many `pg` connections over TCP. PGlite is a single session, so a
 * connection gets the backend to itself from its first message until it has sent a Sync (or a
 * simple Query) and no transaction is open: its Parse, Bind and Execute can never meet another
 * connection's (which would replace its unnamed statement or portal), and its transaction never
 * sees nor lends another's uncommitted rows. The others' messages wait their turn, first come
 * first served. A connection that goes away mid-batch or mid-transaction has its work rolled back.
 *
 * Replaces pglite-socket's server, whose queue only kept a connection exclusive while PGlite
 * reported an explicit transaction, and interleaved everything else message by message.
 */
export class EmbeddedSocketServer {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  /** The connection the backend belongs to, if any. */
  private owner: Connection | null = null;
  /** Connections with messages waiting for the backend, in arrival order. */
  private readonly waiting: Connection[] = [];
  private running = false;
  private nextId = 1;

  constructor(
    private readonly db: PGlite,
    private readonly options: EmbeddedSocketServerOptions = {},
  ) {}

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    await this.db.waitReady;
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 100;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('The embedded server has no TCP port');
    return address.port;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    // Let a batch still running finish before the caller closes the database.
    while (this.running) await new Promise((resolve) => setImmediate(resolve));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn = new Connection(this.nextId++, socket);
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      if (!conn.receive(chunk)) {
        socket.destroy();
        return;
      }
      if (conn.pending.length > 0 && conn !== this.owner && !this.waiting.includes(conn)) this.waiting.push(conn);
      this.schedule();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.disconnect(conn));
  }

  /** Runs batches while there is work for the backend and nobody is running one. */
  private schedule(): void {
    if (this.running) return;
    if (this.owner === null) {
      const next = this.waiting.shift();
      if (next === undefined) return;
      this.owner = next;
    }
    const owner = this.owner;
    if (owner.closed) {
      void this.release(owner);
      return;
    }
    if (owner.pending.length === 0) return; // It holds the backend and has more to send.
    void this.run(owner);
  }

  private async run(conn: Connection): Promise<void> {
    this.running = true;
    const messages = conn.pending;
    conn.pending = [];
    // A Terminate is the client's goodbye: the socket closes next, and its close cleans up.
    const batch = messages.filter((m) => m[0] !== TERMINATE);
    try {
      if (batch.length > 0) {
        // The startup packet (no type byte) is answered on its own; the rest go together.
        const startup = batch[0][0] === 0 ? [batch.shift()!] : [];
        for (const part of [...startup, ...(batch.length ? [Buffer.concat(batch)] : [])]) {
          await this.exec(part, (data) => {
            if (!conn.closed) conn.socket.write(data);
          });
        }
        const last = batch.length ? batch[batch.length - 1][0] : QUERY;
        conn.atBoundary = last === SYNC || last === QUERY;
      }
    } catch {
      // PGlite itself failed: nothing sensible can be said on this connection any more.
      conn.socket.destroy();
      conn.closed = true;
    } finally {
      this.running = false;
    }
    if (conn.closed) {
      await this.release(conn);
      return;
    }
    if (conn.atBoundary && !this.db.isInTransaction()) {
      this.owner = null;
      if (conn.pending.length > 0) this.waiting.push(conn); // Behind those who waited.
    }
    this.schedule();
  }

  /** Hands the backend of a closed connection on, after undoing whatever it left open. */
  private async release(conn: Connection): Promise<void> {
    if (this.running) return; // The batch in flight calls back here when it ends.
    this.running = true;
    try {
      if (!conn.atBoundary) await this.exec(ABORT_BATCH, () => undefined);
      if (this.db.isInTransaction()) await this.exec(ROLLBACK, () => undefined);
    } catch {
      // Nothing left to undo on a backend that refuses even this.
    } finally {
      conn.atBoundary = true;
      this.running = false;
    }
    if (this.owner === conn) this.owner = null;
    this.schedule();
  }

  private disconnect(conn: Connection): void {
    conn.closed = true;
    conn.pending = [];
    this.connections.delete(conn);
    const queued = this.waiting.indexOf(conn);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (this.owner === conn) void this.release(conn);
  }

  private exec(message: Buffer, onData: (data: Buffer) => void): Promise<void> {
    return this.db.runExclusive(() =>
      this.db.execProtocolRawStream(new Uint8Array(message.buffer, message.byteOffset, message.length), {
        onRawData: (data: Uint8Array) => {
          if (data.length > 0) onData(Buffer.from(data));
        },
      }),
    );
  }
}
