import { DomainError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, isTimestamp, toPage, useCursorSecret } from './pagination';

const unsigned = (values: unknown): string => Buffer.from(JSON.stringify(values)).toString('base64url');
const refusal = { code: 'VALIDATION_FAILED', extensions: { errors: [{ field: 'cursor' }] } };
const UUID = '0b6f5a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b';
const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return 'nothing thrown';
};

describe('pagination cursors', () => {
  beforeAll(() => useCursorSecret('test-secret-test-secret-test-secret-0123'));

  it('gives back what it sealed, typed per sort key', () => {
    const cursor = encodeCursor(['2026-03-01T10:00:00.000Z', UUID]);
    expect(decodeCursor(cursor, ['timestamp', 'uuid'])).toEqual(['2026-03-01T10:00:00.000Z', UUID]);
    expect(decodeCursor(encodeCursor([3, null, UUID]), ['integer', 'timestamp?', 'uuid'])).toEqual([3, null, UUID]);
    expect(decodeCursor(encodeCursor(['9007199254740993']), ['bigint'])).toEqual(['9007199254740993']);
    expect(decodeCursor(undefined, ['uuid'])).toBeNull();
  });

  it('pages: the next cursor names the last row kept', () => {
    const page = toPage([{ id: 'a' }, { id: 'b' }, { id: 'c' }], 2, (r) => [r.id]);
    expect(page.data).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(decodeCursor(page.nextCursor!, ['text'])).toEqual(['b']);
    expect(toPage([{ id: 'a' }], 2, (r) => [r.id]).nextCursor).toBeNull();
  });

  it.each([
    ['unsigned values of the wrong kinds', unsigned(['2026-13-45', 'not-a-uuid'])],
    ['unsigned values of the wrong arity', unsigned(['a', 'b', 'c'])],
    ['unsigned well-typed values', unsigned(['2026-03-01T10:00:00.000Z', UUID])],
    ['no cursor at all', 'not-a-cursor'],
    ['an empty seal', `${unsigned(['2026-03-01T10:00:00.000Z', UUID])}.`],
    ['overlong', `${'A'.repeat(3000)}.${'A'.repeat(22)}`],
  ])('refuses a forged cursor (%s) with a 400 naming cursor', (_, cursor) => {
    const error = thrownBy(() => decodeCursor(cursor, ['timestamp', 'uuid']));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject(refusal);
  });

  it('refuses a cursor whose values were altered, or sealed under another key', () => {
    const cursor = encodeCursor(['Smith', UUID]);
    const [payload, seal] = cursor.split('.');
    const altered = `${unsigned(['Jones', UUID])}.${seal}`;
    expect(() => decodeCursor(altered, ['text', 'uuid'])).toThrow(DomainError);
    useCursorSecret('another-secret-another-secret-another-0');
    expect(() => decodeCursor(`${payload}.${seal}`, ['text', 'uuid'])).toThrow(DomainError);
    useCursorSecret('test-secret-test-secret-test-secret-0123');
    expect(decodeCursor(cursor, ['text', 'uuid'])).toEqual(['Smith', UUID]);
  });

  it.each([
    ['arity', ['a', 'b', 'c'], ['text', 'uuid']],
    ['a date that does not exist', ['2026-13-45', UUID], ['timestamp', 'uuid']],
    ['31 February', ['2026-02-31T00:00:00.000Z', UUID], ['timestamp', 'uuid']],
    ['a uuid that is not one', ['2026-03-01T10:00:00.000Z', 'not-a-uuid'], ['timestamp', 'uuid']],
    ['a number that is text', ['0.5', UUID], ['number', 'uuid']],
    ['an integer beyond int4', [2 ** 31, 'x', UUID], ['integer', 'timestamp?', 'uuid']],
    ['a fraction for an integer', [1.5, null, UUID], ['integer', 'timestamp?', 'uuid']],
    ['a bigint beyond int8', ['9223372036854775808'], ['bigint']],
    ['SQL for a bigint', ['1; DROP TABLE x'], ['bigint']],
    ['a NUL in text', ['a\u0000', UUID], ['text', 'uuid']],
    ['an object', [{}, UUID], ['text', 'uuid']],
    ['not an array', { a: 1 }, ['text']],
  ] as const)('refuses a signed cursor of the wrong shape (%s): stale, or of another list', (_, values, parts) => {
    const cursor = encodeCursor(values as unknown as unknown[]);
    expect(thrownBy(() => decodeCursor(cursor, parts))).toMatchObject(refusal);
  });
});

describe('isTimestamp', () => {
  it.each([
    '2026-03-01T10:00:00.000Z',
    '2024-02-29T23:59:59Z',
    '2026-12-02 01:57:23.125431+00',
    '2026-12-02 01:57:23+05:30',
    '0001-01-01T00:00:00Z',
  ])('accepts %s', (value) => expect(isTimestamp(value)).toBe(true));

  it.each([
    '2026-13-45',
    '2026-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-01-01T00:00:00+16',
    '2026-01-01',
    '+275760-09-13T00:00:00.000Z',
    'NaN',
    '',
  ])('refuses %s', (value) => expect(isTimestamp(value)).toBe(false));
});
