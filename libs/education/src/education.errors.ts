import { DomainError } from '@app/platform';
import type { TransferStatus } from './education.entity';

export const EducationError = {
  pupilNotFound: () => DomainError.notFound('Pupil'),
  transferNotFound: () => DomainError.notFound('FileTransfer'),
  badUpn: (reason: string) => DomainError.validation([{ field: 'upn', message: reason }]),
  alreadyOnRoll: () =>
    DomainError.conflict('PUPIL.ALREADY_ON_ROLL', 'The child is already on your roll.', { allowed: [] }),
  pupilLeft: () =>
    DomainError.conflict('PUPIL.LEFT', 'The pupil has left the roll: their file went with them.', { allowed: [] }),
  notASchool: (field: string) =>
    DomainError.validation([{ field, message: `${field} is not a school other than yours` }]),
  notACouncil: () =>
    DomainError.validation([{ field: 'councilId', message: 'councilId is not a council (local authority)' }]),
  illegalTransition: (from: TransferStatus, to: string, allowed: string[]) =>
    DomainError.conflict(
      'FILE_TRANSFER.ILLEGAL_TRANSITION',
      `A file transfer that is ${from} cannot become ${to}${allowed.length ? `; it can become ${allowed.join(' or ')}` : '; it is final'}.`,
      { currentStatus: from, allowed },
    ),
} as const;
