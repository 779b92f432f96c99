import { DomainError } from '@app/platform';

export const PoliceError = {
  screeningNotFound: () => DomainError.notFound('CSE screening'),
  episodeNotFound: () => DomainError.notFound('Missing episode'),
  personNotFound: () => DomainError.notFound('Person of interest'),
  vehicleNotFound: () => DomainError.notFound('Vehicle of interest'),
  locationNotFound: () => DomainError.notFound('Location of interest'),
  nodeNotFound: () => DomainError.notFound('Node'),
  matchNotFound: () => DomainError.notFound('Match'),
  cawnNotFound: () => DomainError.notFound('Child abduction warning notice'),
  illegalTransition: (from: string, to: string, allowed: readonly string[]) =>
    DomainError.conflict(
      'MISSING_EPISODE.ILLEGAL_TRANSITION',
      `A missing episode that is ${from} cannot become ${to}${allowed.length ? `; it can become ${allowed.join(' or ')}` : '; it is final'}.`,
      { currentStatus: from, allowed },
    ),
  alreadyDecided: (status: string) =>
    DomainError.conflict('POLICE_MATCH.ALREADY_DECIDED', `The request is already ${status}.`, {
      currentStatus: status,
    }),
  disclosureEnded: (how: 'revoked' | 'expired') =>
    DomainError.conflict(
      'POLICE_DISCLOSURE.ENDED',
      `The disclosure has already ${how === 'revoked' ? 'been revoked' : 'expired'}.`,
      {
        currentStatus: how.toUpperCase(),
      },
    ),
  alreadyLinked: () => DomainError.conflict('POLICE_LINK.EXISTS', 'These two are already linked by your force.'),
  duplicateVehicle: () =>
    DomainError.conflict('POLICE_VEHICLE.EXISTS', 'Your force already records a vehicle with this registration mark.'),
  cawnEnded: (endedOn: string) =>
    DomainError.conflict('CAWN.ENDED', `The notice was already ended (on ${endedOn}).`, { currentStatus: 'ENDED' }),
  cawnNotEligible: (detail: string) => new DomainError('CAWN.NOT_ELIGIBLE', 422, 'Unprocessable Content', detail),
  invalid: (field: string, message: string) => DomainError.validation([{ field, message }]),
} as const;
