import { applyDecorators } from '@nestjs/common';
import { IsDateString, IsISO8601, Matches, MaxLength } from 'class-validator';
import { FIELD_LIMITS } from './field-limits';

/**
 * A calendar day, `YYYY-MM-DD` and nothing else. validator.js's ISO 8601 check alone lets through
 * the short forms (`2026`, `2026-12`, `2026-W49`, `20261202`, `2026-336`), which the services
 * would read as NaN or Invalid Date; the pattern refuses them, the ISO check refuses Feb 30.
 */
export const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An RFC 3339 date-time: a time to the minute at least, and a zone (Z or ±HH:MM), never server-local. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A date-only field: a 400 names the field unless it is a real day written YYYY-MM-DD. */
export function IsCalendarDate(): PropertyDecorator {
  return applyDecorators(
    IsDateString({ strict: true }),
    Matches(CALENDAR_DATE, { message: '$property must be a date YYYY-MM-DD' }),
    MaxLength(FIELD_LIMITS.date),
  );
}

/** A date-time field: a 400 names the field unless it is an RFC 3339 date-time with a time zone. */
export function IsTimestamp(): PropertyDecorator {
  return applyDecorators(
    IsISO8601({ strict: true }),
    Matches(TIMESTAMP, { message: '$property must be a date-time with a time zone, e.g. 2026-12-02T09:30:00Z' }),
    MaxLength(FIELD_LIMITS.dateTime),
  );
}
