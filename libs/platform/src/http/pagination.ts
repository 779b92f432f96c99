import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from '../errors/domain-error';

/** A cursor's longest form: a page's last sort key (names of up to 100 characters) plus its seal. */
export const CURSOR_MAX_LENGTH = 2000;
/** The most items one page holds (PageQuery.limit at most). */
export const PAGE_MAX_ITEMS = 200;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_MAX_ITEMS, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_MAX_ITEMS)
  limit?: number;

  @ApiPropertyOptional({
    description:
      "Opaque cursor from the previous page's nextCursor (signed: only this API's own cursors are accepted).",
    maxLength: CURSOR_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  cursor?: string;
}

/** A page's `data`: the items of this page, at most `limit` of them. */
export const ApiPageData = (type: Class<unknown>, description?: string): PropertyDecorator =>
  ApiProperty({ type: [type], maxItems: PAGE_MAX_ITEMS, description });

/** A page's `nextCursor`: null on the last page. */
export const ApiNextCursor = (): PropertyDecorator =>
  ApiProperty({
    type: String,
    nullable: true,
    maxLength: CURSOR_MAX_LENGTH,
    description: 'Pass it as `cursor` for the next page; null on the last page.',
  });

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * The type of one value of a cursor, checked on the way in so that a stale cursor (from before a
 * change of sort order) is a 400 rather than a database error: `timestamp` is an ISO 8601 or
 * PostgreSQL text timestamp of a real calendar day, `timestamp?` the same or null, `integer` fits
 * PostgreSQL's int4, `bigint` is a positive int8 written as digits.
 */
export type CursorPart = 'text' | 'uuid' | 'timestamp' | 'timestamp?' | 'number' | 'integer' | 'bigint';

type PartValue<P extends CursorPart> = P extends 'number' | 'integer'
  ? number
  : P extends 'timestamp?'
    ? string | null
    : string;

export type CursorValues<P extends readonly CursorPart[]> = { -readonly [K in keyof P]: PartValue<P[K]> };

// Until the platform module passes the configured secret, cursors hold within this process only.
let cursorKey: Buffer = randomBytes(32);

/**
 * Cursors are sealed with a key derived from the given secret (JWT_SECRET): every API process of
 * a deployment accepts each other's cursors, and a client cannot forge one.
 */
export function useCursorSecret(secret: string | Buffer): void {
  cursorKey = Buffer.from(hkdfSync('sha256', secret, 'safeguarding-hub', 'pagination-cursor-v1', 32));
}

// 128 bits of HMAC-SHA256: a forgery needs the key.
const seal = (payload: string): Buffer => createHmac('sha256', cursorKey).update(payload).digest().subarray(0, 16);

export function encodeCursor(values: unknown[]): string {
  const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
  return `${payload}.${seal(payload).toString('base64url')}`;
}

const notOurs = (): DomainError =>
  DomainError.validation([{ field: 'cursor', message: 'cursor is not a cursor this API issued for this list' }]);

/**
 * The values of a cursor this API issued for a list sorted by `parts`, or null when there is
 * none. A forged, altered, stale or foreign cursor is a 400 naming `cursor`.
 */
export function decodeCursor<const P extends readonly CursorPart[]>(
  cursor: string | undefined,
  parts: P,
): CursorValues<P> | null {
  if (cursor === undefined) return null;
  const dot = cursor.indexOf('.');
  if (cursor.length > CURSOR_MAX_LENGTH || dot < 0) throw notOurs();
  const payload = cursor.slice(0, dot);
  const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
  const expected = seal(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notOurs();
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  if (!Array.isArray(values) || values.length !== parts.length) throw notOurs();
  if (!parts.every((part, i) => isCursorPart(part, values[i]))) throw notOurs();
  return values as CursorValues<P>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT8 = /^[1-9][0-9]{0,18}$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?[0-5]\d(?::?[0-5]\d)?)?)$/;

/** A timestamp PostgreSQL accepts as written, on a day that exists (JS Date rolls 31 February over). */
export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours] = m.slice(1).map((n) => Number(n ?? 0)) as number[];
  const lastDay = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    year! >= 1 &&
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= lastDay &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59 &&
    offsetHours! <= 15
  );
}

function isCursorPart(part: CursorPart, value: unknown): boolean {
  switch (part) {
    case 'text':
      return typeof value === 'string' && !value.includes('\u0000');
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'timestamp':
      return isTimestamp(value);
    case 'timestamp?':
      return value === null || isTimestamp(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1;
    case 'bigint':
      return typeof value === 'string' && INT8.test(value) && BigInt(value) <= 2n ** 63n - 1n;
  }
}

/** Fetch limit + 1 rows; this trims and computes the next cursor from the last row kept. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => unknown[]): Page<T> {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}

/** The keys a client actually sent (a DTO may carry declared-but-absent fields as undefined). */
export function sentKeys(dto: object): string[] {
  return Object.entries(dto)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}
