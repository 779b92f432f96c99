import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { namedQuery, WorkingDayCalendar } from '@app/platform';
import {
  declaredTimescales,
  type TimescaleKey,
  timescaleDeclaration,
  type TimescaleUnit,
} from './timescale-declarations';

/** Every declared timescale's value for one organisation. */
export type TimescaleValues = Readonly<Record<TimescaleKey, number>>;

/**
 * Statutory and local clocks (DOMAIN.md): each timescale's value for an organisation (its own
 * setting, else the declared default), and the due time it gives from a start: working days end
 * at the end of the last working day, working hours count only working hours (England and Wales
 * bank holidays and weekends excluded), hours and minutes are plain time.
 */
@Injectable()
export class Timescales {
  readonly calendar = new WorkingDayCalendar();

  async values(tx: EntityManager, organisationId: string): Promise<TimescaleValues> {
    const local = await namedQuery<{ key: string; value: number }>(
      tx,
      'SELECT key, value FROM organisation_timescale WHERE organisation_id = :organisationId',
      { organisationId },
    );
    const values: Record<string, number> = {};
    for (const { key, declaration } of declaredTimescales()) values[key] = declaration.default;
    // A row for a timescale no loaded module declares any more is ignored.
    for (const row of local) if (row.key in values) values[row.key] = row.value;
    return values as TimescaleValues;
  }

  /** When something that started at `from` is due under the organisation's value of `key`. */
  async due(tx: EntityManager, organisationId: string, key: TimescaleKey, from: Date): Promise<Date> {
    const declaration = timescaleDeclaration(key);
    if (!declaration) throw new Error(`No module declared the timescale ${key}`);
    const values = await this.values(tx, organisationId);
    return this.dueAfter(from, values[key], declaration.unit);
  }

  /** The due time `amount` units after `from`. */
  dueAfter(from: Date, amount: number, unit: TimescaleUnit): Date {
    switch (unit) {
      case 'working_days':
        return this.calendar.workingDayDeadline(from, amount);
      case 'working_hours':
        return this.calendar.addWorkingHours(from, amount);
      case 'hours':
        return new Date(from.getTime() + amount * 3_600_000);
      case 'minutes':
        return new Date(from.getTime() + amount * 60_000);
    }
  }
}
