import { createHash } from 'node:crypto';

/** The `prevHash` of the first link of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * A deterministic JSON serialisation: object keys sorted (by UTF-16 code unit), arrays kept in
 * order, dates as ISO strings, no whitespace. Properties whose value is `undefined` are left out,
 * as JSON.stringify does. Anything that has no single JSON form (NaN, Infinity, bigint, functions,
 * symbols, class instances other than Date) is refused rather than serialised ambiguously.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('canonicalJson: invalid Date');
    return JSON.stringify(value.toISOString());
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object':
      break;
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError('canonicalJson: only plain objects, arrays, dates and primitives are serialised');
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

/** One link of the chain: `sha256hex(prevHash + canonicalJson(event))`. */
export function chainHash(prevHash: string, event: unknown): string {
  if (!/^[0-9a-f]{64}$/.test(prevHash)) throw new TypeError('chainHash: prevHash must be 64 lower-case hex digits');
  return sha256Hex(prevHash + canonicalJson(event));
}
