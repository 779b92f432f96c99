import { BadRequestException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { DomainError } from './domain-error';
import { toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it('maps domain errors with their code, status and extensions', () => {
    const p = toProblem(DomainError.validation([{ field: 'email', message: 'email must be an email' }]));
    expect(p).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'email' }] });
    expect(p.type).toBe('/problems/validation-failed');
  });

  it('maps framework HTTP exceptions to their status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({ status: 404, title: 'Not Found' });
    expect(toProblem(new BadRequestException('bad'))).toMatchObject({ status: 400, detail: 'bad' });
  });

  it('never exposes internals of a 500', () => {
    const secret = new Error('relation "child" does not exist at /srv/app/libs/x.ts:12');
    const p = toProblem(secret);
    expect(p).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(toProblem(new InternalServerErrorException('db password is hunter2')))).not.toContain(
      'hunter2',
    );
  });

  it('turns a unique-constraint race into 409 without the row values', () => {
    const err = Object.assign(new Error('duplicate key'), {
      driverError: { code: '23505', detail: 'Key (email)=(a@b) exists' },
    });
    const p = toProblem(err);
    expect(p.status).toBe(409);
    expect(JSON.stringify(p)).not.toContain('a@b');
  });
});

describe('toProblem for input that got past validation to the database', () => {
  it('turns a null into a NOT NULL column into a 400 naming the field, without the row values', () => {
    const err = Object.assign(new Error('null value in column "review_interval_months" violates not-null constraint'), {
      driverError: { code: '23502', column: 'review_interval_months', detail: 'Failing row contains (secret, 42).' },
    });
    const p = toProblem(err);
    expect(p).toMatchObject({ status: 400, errors: [{ field: 'reviewIntervalMonths' }] });
    expect(JSON.stringify(p)).not.toContain('secret');
  });

  it('turns a date PostgreSQL cannot read into a 400, not a 500', () => {
    const err = Object.assign(new Error('invalid input syntax for type date: "2027-03-NaN"'), {
      driverError: { code: '22007' },
    });
    const p = toProblem(err);
    expect(p.status).toBe(400);
    expect(JSON.stringify(p)).not.toContain('NaN');
  });
});

describe('toProblem extensions', () => {
  it('never lets an extension overwrite a standard member', () => {
    const p = toProblem(DomainError.conflict('X.Y', 'conflict', { status: 'SUBMITTED', type: 'evil', allowed: ['A'] }));
    expect(p).toMatchObject({ status: 409, type: '/problems/x-y', allowed: ['A'] });
  });
});

describe('toProblem for a database outage and for large error lists', () => {
  it('answers 503 with a retry time when the database cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const p = toProblem(refused);
    expect(p).toMatchObject({ status: 503, type: '/problems/service-unavailable', code: 'SERVICE_UNAVAILABLE' });
    expect(p.retryAfter).toBeGreaterThan(0);
    expect(JSON.stringify(p)).not.toContain('10.0.0.5');
  });

  it('lists the first 20 field errors and counts the rest', () => {
    const errors = Array.from({ length: 50_000 }, (_, i) => ({
      field: `k${i}`,
      message: `property k${i} should not exist`,
    }));
    const p = toProblem(DomainError.validation(errors));
    expect(p.errors).toHaveLength(20);
    expect(p.moreErrors).toBe(49_980);
    expect(JSON.stringify(p).length).toBeLessThan(2000);
    expect(toProblem(DomainError.validation(errors.slice(0, 3)))).not.toHaveProperty('moreErrors');
  });
});
