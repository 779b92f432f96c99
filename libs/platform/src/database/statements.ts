import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import { UnitOfWork } from './unit-of-work';

/** The question Statements asks once to learn whether the server keeps prepared statements per connection. */
export const SERVER_VERSION_SQL = 'SELECT version() AS version';

/**
 * One SQL statement on its own (autocommit: a single statement is atomic, with every CTE in it),
 * written with TypeORM-style named parameters. On a real PostgreSQL it is sent as a named
 * prepared statement, so each pooled connection parses and plans it once and then only binds and
 * executes: for the hot child read, planning was 0.8 ms of 1.1 ms (bench/README.md). The name is
 * a hash of the text, so statements that differ (another role's scope) never share a name.
 *
 * The embedded database (PGlite behind EmbeddedSocketServer) serves every socket from one backend
 * session, where a second connection preparing the same name fails ("already exists"): there the
 * statement goes unnamed, as TypeORM sends it.
 */
@Injectable()
export class Statements {
  private prepare: Promise<boolean> | undefined;
  private readonly compiled = new LRUCache<string, Compiled>({ max: 1_000 });

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async query<T = Record<string, unknown>>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    const compiled = this.compile(sql, params);
    const config: QueryConfig = { text: compiled.text, values: compiled.order.map((key) => params[key]) };
    // Inside a unit of work, in its transaction: another connection would not see its writes.
    const shared = UnitOfWork.sharedRunner(this.db);
    if (shared) return (await shared.query(config.text, config.values, true)).records as T[];
    if (!(await this.prepared())) return (await this.pool().query(config)).rows as T[];
    try {
      return (await this.pool().query({ ...config, name: compiled.name })).rows as T[];
    } catch (err) {
      if (!isStalePlan(err)) throw err;
      // A table changed under the prepared statement (a migration while this process runs): the
      // server refuses the old plan before executing anything, so the statement did nothing.
      // Give the text a fresh name, which every connection prepares anew, and send it once more.
      compiled.generation += 1;
      compiled.name = statementName(compiled.text, compiled.generation);
      return (await this.pool().query({ ...config, name: compiled.name })).rows as T[];
    }
  }

  /**
   * The positional text of a statement, its name and the order of its parameters, worked out once
   * per text with TypeORM's own conversion (run on markers standing for the values).
   */
  private compile(sql: string, params: Record<string, unknown>): Compiled {
    let compiled = this.compiled.get(sql);
    if (compiled === undefined || !sameKeys(compiled.keys, params)) {
      if (/:\.\.\./.test(sql) || Object.values(params).some((v) => typeof v === 'function')) {
        throw new TypeError('Statements: spread (:...name) and function parameters are not supported');
      }
      const keys = Object.keys(params).sort();
      const markers = new Map(keys.map((key) => [{ marker: key }, key] as const));
      const byKey = Object.fromEntries([...markers].map(([marker, key]) => [key, marker]));
      const [text, values] = this.db.driver.escapeQueryWithParameters(sql, byKey);
      const order = (values as unknown[]).map((value) => {
        const key = markers.get(value as { marker: string });
        if (key === undefined) throw new TypeError('Statements: a parameter TypeORM inlined is not supported');
        return key;
      });
      compiled = { text, order, keys, name: statementName(text, 0), generation: 0 };
      this.compiled.set(sql, compiled);
    }
    return compiled;
  }

  private pool(): Pool {
    // TypeORM's postgres driver keeps its pg Pool as `master`.
    return (this.db.driver as unknown as { master: Pool }).master;
  }

  private prepared(): Promise<boolean> {
    this.prepare ??= this.pool()
      .query<{ version: string }>(SERVER_VERSION_SQL)
      .then((r) => !/PGlite/i.test(r.rows[0]?.version ?? ''))
      .catch((err: unknown) => {
        this.prepare = undefined;
        throw err;
      });
    return this.prepare;
  }
}

interface Compiled {
  text: string;
  /** The parameter names in `$1..$n` order. */
  order: string[];
  /** The names the statement was compiled with (sorted). */
  keys: string[];
  name: string;
  /** Bumped when the server refused the prepared plan as stale. */
  generation: number;
}

function sameKeys(keys: string[], params: Record<string, unknown>): boolean {
  const given = Object.keys(params);
  return given.length === keys.length && given.every((key) => keys.includes(key));
}

/** A stable name per statement text (PostgreSQL names are at most 63 bytes). */
export function statementName(text: string, generation = 0): string {
  const name = `s_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
  return generation === 0 ? name : `${name}_${generation}`;
}

/** PostgreSQL's refusal of a prepared plan whose result columns changed since it was prepared. */
function isStalePlan(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === '0A000' &&
    /cached plan must not change result type/.test(String((err as { message?: unknown }).message))
  );
}
