import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

export type OrganisationType = 'police_force' | 'local_authority' | 'school' | 'health' | 'oversight';
export const ORGANISATION_TYPES: readonly OrganisationType[] = [
  'police_force',
  'local_authority',
  'school',
  'health',
  'oversight',
];

/** Who is calling: a person (user) or a partner system (API client), always of one organisation. */
export interface Actor {
  kind: 'user' | 'client';
  id: string;
  organisationId: string;
  organisationType: OrganisationType;
  teamId: string | null;
  roles: string[];
  scopes: string[];
}

export interface ActorRequest {
  actor?: Actor;
  user?: unknown;
  id?: string | number;
}

export function actorOf(req: ActorRequest): Actor {
  const actor = req.actor;
  if (!actor) throw DomainError.unauthenticated();
  return actor;
}

/** The authenticated actor of this request (set by the authentication guard). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return actorOf(ctx.switchToHttp().getRequest<ActorRequest>());
});
