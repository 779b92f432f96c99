import { DomainError } from '@app/platform';
import type { ReportStatus } from './whistleblowing.entity';

export const OversightError = {
  /** Unknown reference, or wrong secret: the same answer, so a guess learns nothing. */
  noSuchReport: () =>
    new DomainError('WHISTLEBLOWING.NOT_FOUND', 404, 'Not Found', 'No report matches this reference and secret.'),
  reportNotFound: () => DomainError.notFound('WhistleblowingReport'),
  illegalMove: (from: ReportStatus, to: string, allowed: readonly string[]) =>
    DomainError.conflict(
      'WHISTLEBLOWING.ILLEGAL_TRANSITION',
      `A report that is ${from} cannot become ${to}${allowed.length ? `; it can become ${allowed.join(' or ')}` : '; it is closed'}.`,
      { currentStatus: from, allowed },
    ),
  closed: () => DomainError.conflict('WHISTLEBLOWING.CLOSED', 'The report is closed.', { currentStatus: 'closed' }),
  noInspectorate: () => DomainError.serviceUnavailable('No inspectorate takes whistleblowing reports yet.', 3600),
} as const;
