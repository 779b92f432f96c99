import { declareEvents, type EventPayloads, internalEvent, publishedEvent } from '@app/casework';
import type { TransferDestination } from './education.entity';

/** A school sent a moving pupil's safeguarding file (ids and organisations only, never its content). */
export interface FileTransferSent {
  transferId: string;
  fromOrganisation: { id: string; name: string };
  destination: TransferDestination;
  toOrganisationId: string | null;
}

/** The new school's DSL confirmed receipt. */
export interface FileTransferReceived {
  transferId: string;
  toOrganisation: { id: string; name: string };
}

/** A pupil joined a school's roll (ids only): in-process, never to partner systems. */
export interface PupilAdded {
  pupilId: string;
  childId: string;
  organisationId: string;
  onRollFrom: string;
}

export const EDUCATION_EVENTS = declareEvents({
  'education.pupil.added': internalEvent<PupilAdded>("A pupil joined a school's roll."),
  'education.file_transfer.sent': publishedEvent<FileTransferSent>(
    "A pupil's safeguarding file was sent on a move (to the new school, or to the children missing education officer).",
  ),
  'education.file_transfer.received': publishedEvent<FileTransferReceived>(
    "The new school's designated safeguarding lead confirmed receipt of a pupil's safeguarding file.",
  ),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof EDUCATION_EVENTS> {}
}
