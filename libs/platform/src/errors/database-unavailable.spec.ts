import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['both addresses refused', new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')])],
    ['connection reset', pgError('ECONNRESET')],
    ['host name not resolved', pgError('ENOTFOUND')],
    ['admin shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown (57P02)', pgError('57P02')],
    ['server starting (57P03)', pgError('57P03', 'the database system is starting up')],
    ['connection failure (08006)', pgError('08006')],
    ['too many connections (53300)', pgError('53300')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))],
    ['as a cause', new Error('outer', { cause: pgError('57P01') })],
  ])('recognises %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation', pgError('23505')],
    ['bad input', pgError('22P02', 'invalid input syntax for type uuid')],
    ['a serialization failure', pgError('40001')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
    ['nothing', undefined],
  ])('does not mistake %s for an outage', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});
