import { type AccessContext, can, filterFields, mayLearnOfInvolvement } from '@app/access';
import type { FieldError, OrganisationType } from '@app/platform';
import type { ChildDto } from './children.dto';

/** A child row as loaded for a decision: its fields plus the need-to-know attributes. */
export type LoadedChild = Record<string, unknown> & {
  id: string;
  version: number;
  restricted: boolean;
  involvedOrganisationIds: string[];
  caseTeamUserIds: string[];
  breakGlassUserIds: string[];
  /** Classes live grants disclose to the actor's organisation (loaded relative to the actor). */
  grantedClasses: string[];
  triageTeamIds: string[];
};

/** The child's relations, as the parts of its record (addresses, sections, entries) are judged by them. */
export function childRelations(child: LoadedChild) {
  return {
    childRestricted: child.restricted,
    childInvolvedOrganisationIds: child.involvedOrganisationIds,
    childCaseTeamUserIds: child.caseTeamUserIds,
    childBreakGlassUserIds: child.breakGlassUserIds,
  };
}

/** The words of a normalised search text: each must match a word of the name (at most six). */
export function wordsOf(q: string): string[] {
  return [...new Set(q.split(' ').filter((w) => w.length > 0))].slice(0, 6);
}

/** The sensitivity class an agency's own workflow entries are recorded in. */
export function entryClassOf(organisationType: string): string {
  const classes: Record<string, string> = {
    police_force: 'police-intelligence',
    local_authority: 'social-care',
    school: 'education',
    health: 'health',
  };
  return classes[organisationType] ?? 'identity';
}

/**
 * A date of birth is in the past and within living memory (from 1900); an expected one (an unborn
 * child) is at most a month past and within ten months ahead.
 */
export function birthDateErrors(
  dto: { dateOfBirth?: string | null; expectedDateOfBirth?: string | null },
  now: Date,
  prefix = '',
): FieldError[] {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const errors: FieldError[] = [];
  if (dto.dateOfBirth && (dto.dateOfBirth < '1900-01-01' || dto.dateOfBirth > day(now))) {
    errors.push({
      field: `${prefix}dateOfBirth`,
      message: `${prefix}dateOfBirth must be between 1900-01-01 and today`,
    });
  }
  const from = day(new Date(now.getTime() - 31 * 86_400_000));
  const to = day(new Date(now.getTime() + 300 * 86_400_000));
  if (dto.expectedDateOfBirth && (dto.expectedDateOfBirth < from || dto.expectedDateOfBirth > to)) {
    errors.push({
      field: `${prefix}expectedDateOfBirth`,
      message: `${prefix}expectedDateOfBirth must be between ${from} and ${to}`,
    });
  }
  return errors;
}

/** Working with the child: its organisation's involvement, or its user on the case team. */
export function worksWith(ctx: AccessContext, child: LoadedChild): boolean {
  return (
    (!child.restricted && child.involvedOrganisationIds.includes(ctx.actor.organisationId)) ||
    child.caseTeamUserIds.includes(ctx.actor.id)
  );
}

/** Via break-glass only: the actor would not see the child through need-to-know. */
export function viaBreakGlass(ctx: AccessContext, child: LoadedChild): boolean {
  return (
    !child.involvedOrganisationIds.includes(ctx.actor.organisationId) &&
    !child.caseTeamUserIds.includes(ctx.actor.id) &&
    child.breakGlassUserIds.includes(ctx.actor.id)
  );
}

/**
 * What an access to this child is recorded as, beyond the caller's stated purpose: a triage read
 * is `referral_triage`; a read under disclosures names their classes and disclosers, so that each
 * discloser sees in its access log what was read under its grant.
 */
export function accessRecordOf(
  ctx: AccessContext,
  child: LoadedChild,
  grantors: string[] = [],
): { purpose?: string; details?: Record<string, unknown> } {
  if (worksWith(ctx, child) || child.breakGlassUserIds.includes(ctx.actor.id)) return {};
  if (child.grantedClasses.length) return { details: { underGrant: child.grantedClasses, grantors } };
  if (ctx.actor.teamId && child.triageTeamIds.includes(ctx.actor.teamId)) return { purpose: 'referral_triage' };
  return {};
}

/**
 * A child as the caller may see it: fields filtered by permission; each address judged by the
 * address rules (whose it is, and what its recorder disclosed); involvements by the tipping-off rules.
 */
export function presentChild(ctx: AccessContext, child: LoadedChild): ChildDto {
  const out = filterFields(ctx.ability, 'Child', child) as Record<string, unknown>;
  if (Array.isArray(out.addresses)) {
    const relations = childRelations(child);
    out.addresses = (out.addresses as (Record<string, unknown> & { grantedClasses?: string[] })[])
      .filter((a) => can(ctx.ability, 'read', 'ChildAddress', { ...a, ...relations }))
      .map(({ grantedClasses: _g, ...address }) => address);
  }
  if (Array.isArray(out.involvements)) {
    out.involvements = (
      out.involvements as { organisationId: string; organisationType: OrganisationType; basis: string }[]
    ).filter((i) => mayLearnOfInvolvement(ctx.actor, i));
  }
  return out as unknown as ChildDto;
}
