import type { EntityManager } from 'typeorm';
import { type Actor, namedQuery, type OrganisationType } from '@app/platform';
import { fail } from './database';

/** `--name value` pairs of a returns CLI. */
export function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  return args;
}

/**
 * The accountable person a returns CLI acts as (`--as <email>`): an active performance officer of
 * the council `la`. A statutory return is child-level data, and every child it names goes on their
 * access log in this person's name, exactly as when they produce it through the API.
 */
export async function returnsActor(tx: EntityManager, as: string, la: string): Promise<Actor> {
  const [user] = await namedQuery<{
    id: string;
    organisationId: string;
    type: OrganisationType;
    teamId: string | null;
    roles: string[];
  }>(
    tx,
    `SELECT u.id, u.organisation_id AS "organisationId", o.type, u.team_id AS "teamId", u.roles
       FROM app_user u JOIN organisation o ON o.id = u.organisation_id
      WHERE u.email = lower(:as) AND o.code = :la AND u.active AND 'performance_officer' = ANY(u.roles)`,
    { as, la },
  );
  if (!user) fail(`${as} is not an active performance officer of ${la}.`);
  return {
    kind: 'user',
    id: user.id,
    organisationId: user.organisationId,
    organisationType: user.type,
    teamId: user.teamId,
    roles: user.roles,
    scopes: [],
  };
}
