import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WorkingDayCalendar } from '@app/platform';
import { OrganisationTimescales, type Rag } from './referral.entity';

const DEFAULTS: Omit<OrganisationTimescales, 'organisationId' | 'organisation'> = {
  referralDecisionWorkingDays: 1,
  ragRedWorkingHours: 4,
  ragAmberWorkingHours: 24,
  ragGreenHours: 72,
  concernDecisionWorkingDays: 1,
  immediateDangerMinutes: 60,
  escalationLevel2WorkingDays: 1,
  infoRequestUrgentHours: 4,
  infoRequestStandardWorkingDays: 3,
};

/**
 * Statutory and local clocks (DOMAIN.md): decisions in working days (England and Wales bank
 * holidays), MASH checks by RAG in working hours, local settings per organisation.
 */
@Injectable()
export class Timescales {
  readonly calendar = new WorkingDayCalendar();

  async for(manager: EntityManager, organisationId: string): Promise<typeof DEFAULTS> {
    const row = await manager.getRepository(OrganisationTimescales).findOneBy({ organisationId });
    return { ...DEFAULTS, ...(row ?? {}) };
  }

  /** A referral's decision: within n working days of receipt (end of that day). */
  referralDecisionDue(received: Date, t: typeof DEFAULTS): Date {
    return this.calendar.workingDayDeadline(received, t.referralDecisionWorkingDays);
  }

  /** MASH partner checks after triage: red and amber in working hours, green in clock hours. */
  ragChecksDue(triaged: Date, rag: Rag, t: typeof DEFAULTS): Date {
    switch (rag) {
      case 'RED':
        return this.calendar.addWorkingHours(triaged, t.ragRedWorkingHours);
      case 'AMBER':
        return this.calendar.addWorkingHours(triaged, t.ragAmberWorkingHours);
      case 'GREEN':
        return new Date(triaged.getTime() + t.ragGreenHours * 3_600_000);
    }
  }

  /** The lead's decision on a concern: within the hour in immediate danger, else by end of next working day. */
  concernDecisionDue(received: Date, immediateDanger: boolean, t: typeof DEFAULTS): Date {
    return immediateDanger
      ? new Date(received.getTime() + t.immediateDangerMinutes * 60_000)
      : this.calendar.workingDayDeadline(received, t.concernDecisionWorkingDays);
  }

  /** When an overdue item goes up to the next level: n working days after it fell due. */
  level2Due(due: Date, t: typeof DEFAULTS): Date {
    return this.calendar.workingDayDeadline(due, t.escalationLevel2WorkingDays);
  }
}
