import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, QueryRunner, ReplicationMode } from 'typeorm';

const current = new AsyncLocalStorage<UnitOfWork>();
const INSTALLED = Symbol('unitOfWorkInstalled');

/**
 * One database transaction around everything a piece of work does (an HTTP request's handler),
 * whatever transactions its services open themselves: inside `run()`, every query runner the
 * DataSource hands out is this one's, so each `db.transaction(...)` of a service becomes a
 * savepoint of it (released or rolled back as that transaction would have been committed or
 * rolled back) and every statement outside one runs in it too. Nothing is visible to others, nor
 * durable, until `commit()`; a process that dies before then leaves nothing behind.
 *
 * Used by the idempotency interceptor so that a key's record commits together with the writes it
 * protects. Rules for code running inside: no statement may go to the database by another road
 * than the DataSource (it would not see the uncommitted work, and on the embedded database it
 * would wait for the transaction forever), and transactions are sequential, not concurrent.
 */
export class UnitOfWork {
  private runner: QueryRunner | undefined;
  private releaseRunner: (() => Promise<void>) | undefined;
  private open = false;

  private constructor(private readonly db: DataSource) {}

  /**
   * Begins a unit of work on `db`. The first call for a DataSource also makes it share the
   * runner of the unit of work in progress (if any) instead of creating one.
   */
  static async begin(db: DataSource): Promise<UnitOfWork> {
    UnitOfWork.install(db);
    const uow = new UnitOfWork(db);
    const runner = db.createQueryRunner('master');
    // The services' own transactions end with release(): the runner must outlive them.
    const release = runner.release.bind(runner);
    runner.release = () => (uow.open ? Promise.resolve() : release());
    uow.runner = runner;
    uow.releaseRunner = release;
    try {
      await runner.connect();
      await runner.startTransaction();
    } catch (err) {
      await release();
      throw err;
    }
    uow.open = true;
    return uow;
  }

  /** The runner of the unit of work the caller runs in, if it is open and on this DataSource. */
  static sharedRunner(db: DataSource): QueryRunner | undefined {
    const uow = current.getStore();
    return uow?.open && uow.db === db ? uow.runner : undefined;
  }

  private static install(db: DataSource): void {
    const target = db as DataSource & { [INSTALLED]?: true };
    if (target[INSTALLED]) return;
    target[INSTALLED] = true;
    const create = db.createQueryRunner.bind(db);
    db.createQueryRunner = (mode?: ReplicationMode) => UnitOfWork.sharedRunner(db) ?? create(mode);
  }

  get queryRunner(): QueryRunner {
    if (!this.runner) throw new Error('The unit of work has no runner');
    return this.runner;
  }

  /** Runs `fn` (and everything it starts) inside this unit of work. */
  run<T>(fn: () => T): T {
    return current.run(this, fn);
  }

  /**
   * Commits everything; the runner goes back to the pool whatever happens. A service transaction
   * still open (its callback has not returned: an abandoned promise) is unfinished work, and
   * nothing is committed then.
   */
  async commit(): Promise<void> {
    const depth = (this.queryRunner as unknown as { transactionDepth: number }).transactionDepth;
    if (depth !== 1) {
      await this.rollback();
      throw new Error(`A transaction inside the unit of work is still open (depth ${depth}): rolled back`);
    }
    try {
      await this.queryRunner.commitTransaction();
    } finally {
      await this.end();
    }
  }

  /** Rolls everything back, savepoints and all. */
  async rollback(): Promise<void> {
    try {
      // A plain ROLLBACK whatever TypeORM's depth: the connection goes back to the pool clean.
      await this.queryRunner.query('ROLLBACK');
    } finally {
      await this.end();
    }
  }

  private async end(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.releaseRunner?.();
  }
}
