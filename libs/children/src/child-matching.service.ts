import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AccessContext, mayNameHolder, permittedFields } from '@app/access';
import { type ChildDetails, Events } from '@app/casework';
import { Clock, DomainError, type FieldError, sentKeys } from '@app/platform';
import { ChildAccess } from './child-access.service';
import { birthDateErrors } from './child-rules';
import { ChildError } from './children.errors';
import type { CreateChildDto } from './children.dto';
import { ChildrenRepository } from './children.repository';
import { Collaboration } from './collaboration.service';
import { normaliseIdentifier } from './identifiers';
import { nameKeyOf, searchNameOf } from './names';

/**
 * Registering a child, and the one matching rule for registrations, referrals' decisions and
 * information requests: a child already on the system is never registered twice, and one another
 * agency holds is answered with an opaque match reference (its holders told), never its record.
 */
@Injectable()
export class ChildMatching {
  constructor(
    private readonly repo: ChildrenRepository,
    private readonly access: ChildAccess,
    private readonly collaboration: Collaboration,
    private readonly events: Events,
    private readonly clock: Clock,
  ) {}

  /**
   * Serialises registrations (and decisions that register) describing the same child, so that two
   * at once cannot both find no match and register the child twice. In the caller's transaction.
   */
  async lockIdentity(tx: EntityManager, who: Partial<CreateChildDto>): Promise<void> {
    const keys = [
      who.nhsNumber ? `nhs:${normaliseIdentifier('nhs_number', who.nhsNumber)}` : null,
      who.givenName && who.familyName && who.dateOfBirth
        ? `name:${nameKeyOf({ givenName: who.givenName, familyName: who.familyName })}:${who.dateOfBirth}`
        : null,
    ].filter((k): k is string => k !== null);
    // Always in the same order, so that two registrations never wait on each other's second key.
    for (const key of keys.sort()) {
      await this.repo.lockIdentityKey(tx, key);
    }
  }

  /** A registration's own checks: a date of birth (or expected one), and only fields the caller may write. */
  checkRegistration(ctx: AccessContext, dto: Partial<CreateChildDto>, prefix = ''): void {
    const errors: FieldError[] = [];
    for (const field of ['givenName', 'familyName'] as const) {
      if (!dto[field]) errors.push({ field: `${prefix}${field}`, message: `${prefix}${field} is required` });
    }
    if (!dto.dateOfBirth && !dto.expectedDateOfBirth) {
      errors.push({
        field: `${prefix}dateOfBirth`,
        message: `${prefix}dateOfBirth or ${prefix}expectedDateOfBirth is required`,
      });
    }
    errors.push(...birthDateErrors(dto, this.clock.now(), prefix));
    if (errors.length) throw DomainError.validation(errors);
    // Judge the fields against the record as it will be: the registering organisation working with it.
    const asRegistered = {
      restricted: false,
      involvedOrganisationIds: [ctx.actor.organisationId],
      caseTeamUserIds: [],
      breakGlassUserIds: [],
      grantedClasses: [],
      triageTeamIds: [],
    };
    const writable = new Set(permittedFields(ctx.ability, 'update', 'Child', asRegistered));
    const refused = sentKeys(dto).filter((f) => f !== 'addresses' && !writable.has(f));
    if (refused.length) throw ChildError.fieldsForbidden(refused);
  }

  /**
   * Registers a child in the caller's transaction (matches already judged): the caller's
   * organisation works with it from now on, and is its lead agency if it is children's services.
   */
  async register(tx: EntityManager, ctx: AccessContext, dto: CreateChildDto): Promise<string> {
    const now = this.clock.now();
    const child = await this.repo.insertChild(tx, {
      givenName: dto.givenName,
      familyName: dto.familyName,
      preferredName: dto.preferredName ?? null,
      previousNames: dto.previousNames ?? [],
      searchName: searchNameOf(dto),
      nameKey: nameKeyOf(dto),
      dateOfBirth: dto.dateOfBirth ?? null,
      expectedDateOfBirth: dto.expectedDateOfBirth ?? null,
      sex: dto.sex ?? 'U',
      ethnicity: dto.ethnicity ?? null,
      firstLanguage: dto.firstLanguage ?? null,
      interpreterNeeded: dto.interpreterNeeded ?? false,
      disabilities: dto.disabilities ?? [],
      nhsNumber: dto.nhsNumber ?? null,
      upn: dto.upn ?? null,
      pncId: dto.pncId ?? null,
      laChildId: dto.laChildId ?? null,
      restricted: false,
      createdByOrganisationId: ctx.actor.organisationId,
    });
    await this.repo.insertInvolvement(tx, {
      childId: child.id,
      organisationId: ctx.actor.organisationId,
      kind: ctx.actor.organisationType === 'local_authority' ? 'lead' : 'contributing',
      basis: 'registered',
      fromAt: now,
      untilAt: null,
      reason: 'Registered the child',
      createdBy: ctx.actor.kind === 'user' ? ctx.actor.id : null,
    });
    for (const address of dto.addresses ?? [])
      await this.repo.insertAddress(tx, child.id, ctx.actor.organisationId, address);
    await this.access.record(tx, ctx, 'child.create', [child.id], 'allowed', {
      details: { fields: sentKeys(dto).filter((k) => k !== 'addresses'), addresses: dto.addresses?.length ?? 0 },
    });
    return child.id;
  }

  /**
   * The child already on the system that a registration describes (same NHS number, or same name
   * and date of birth), if any. The one matching rule for registrations, referrals and requests.
   */
  async findMatch(
    tx: EntityManager,
    who: {
      nhsNumber?: string | null;
      givenName?: string | null;
      familyName?: string | null;
      dateOfBirth?: string | null;
    },
  ): Promise<{ id: string; on: 'nhs_number' | 'name_and_dob'; restricted: boolean } | null> {
    const nhs = who.nhsNumber ? normaliseIdentifier('nhs_number', who.nhsNumber) : null;
    const key =
      who.givenName && who.familyName ? nameKeyOf({ givenName: who.givenName, familyName: who.familyName }) : null;
    return this.repo.findMatch(tx, { nhs, key, dob: who.dateOfBirth ?? null });
  }

  /**
   * What a registration (or a decision registering a child) that may describe a child already on
   * the system is told: the child's id if the caller can see it (`visible`); an opaque match
   * reference naming only the holders the tipping-off rules let it learn of, every holder told
   * (`hidden`); for a restricted child nothing at all (`restricted`: go ahead as for an unknown
   * child, the case team is told in the same transaction); or `none`. In the caller's transaction,
   * after lockIdentity.
   */
  async judgeMatch(
    tx: EntityManager,
    ctx: AccessContext,
    who: Partial<CreateChildDto>,
  ): Promise<
    | { kind: 'none' }
    | { kind: 'visible'; childId: string }
    | { kind: 'restricted'; childId: string }
    | { kind: 'hidden'; childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }
  > {
    const match = await this.findMatch(tx, who);
    if (!match) return { kind: 'none' };
    const visible = await this.access.require(tx, ctx, match.id).then(
      () => true,
      () => false,
    );
    if (visible) return { kind: 'visible', childId: match.id };
    if (match.restricted) {
      await this.access.record(tx, ctx, 'child.possible_match', [match.id], 'not_found', {
        details: { matchedOn: match.on, restricted: true },
      });
      return { kind: 'restricted', childId: match.id };
    }
    return { kind: 'hidden', ...(await this.referenceMatch(tx, ctx, match)) };
  }

  /**
   * A match the actor may not act on: an opaque match reference for it (for a referral or an
   * information request), the holders told, and only the holders the tipping-off rules let the
   * actor learn of named.
   */
  private async referenceMatch(
    tx: EntityManager,
    ctx: AccessContext,
    match: { id: string; on: 'nhs_number' | 'name_and_dob' },
  ): Promise<{ childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }> {
    const reference = `MR-${randomBytes(6).toString('hex').toUpperCase()}`;
    await this.repo.insertMatchReference(tx, {
      reference,
      childId: match.id,
      organisationId: ctx.actor.organisationId,
      createdBy: ctx.actor.id,
      matchedOn: match.on,
    });
    // The other agency's child's log shows that someone registered a possible duplicate.
    await this.access.record(tx, ctx, 'child.possible_match', [match.id], 'denied', {
      details: { matchedOn: match.on, reference },
    });
    const holders = await this.collaboration.tellHolders(tx, ctx, match.id, { matchReference: reference });
    const heldBy = holders
      .filter((h) => mayNameHolder(ctx.actor.organisationType, h.type))
      .map((h) => ({ organisationId: h.organisationId, name: h.name }));
    await this.events.emit(
      tx,
      'child.linked',
      { matchReference: reference, heldBy },
      { organisationId: ctx.actor.organisationId },
    );
    return { childId: match.id, reference, heldBy };
  }

  /**
   * The child these details describe, for a workflow step that needs one (a referral's decision):
   * the record already on the system (same NHS number, or same name and date of birth), else a new
   * registration by the actor's organisation. A restricted record is never linked this way: a new
   * one is registered and its case team is told, as for any registration that may duplicate it.
   */
  async findOrRegister(tx: EntityManager, ctx: AccessContext, who: ChildDetails, fieldPrefix: string): Promise<string> {
    this.checkRegistration(ctx, who as Partial<CreateChildDto>, fieldPrefix);
    await this.lockIdentity(tx, who as Partial<CreateChildDto>);
    const match = await this.findMatch(tx, who);
    if (match && !match.restricted) {
      if (await this.actorWorksWith(tx, ctx, match.id)) return match.id;
      // Registered by another agency since the step judged the match: judging again gets its reference.
      throw DomainError.conflict(
        'CHILD.REGISTERED_MEANWHILE',
        'A record that may be this child was registered meanwhile by another agency: try again.',
      );
    }
    const registered = await this.register(tx, ctx, who as CreateChildDto);
    if (match?.restricted) await this.collaboration.tellCaseTeam(tx, match.id);
    return registered;
  }

  /** judgeMatch for a step that may register a child: see SharedRecord.judgeMatch. */
  async judgeDecisionMatch(
    tx: EntityManager,
    ctx: AccessContext,
    who: ChildDetails,
    fieldPrefix: string,
  ): Promise<
    | { kind: 'none' | 'working' | 'restricted'; childId?: string }
    | { kind: 'held'; childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }
  > {
    this.checkRegistration(ctx, who as Partial<CreateChildDto>, fieldPrefix);
    await this.lockIdentity(tx, who as Partial<CreateChildDto>);
    const match = await this.findMatch(tx, who);
    if (!match) return { kind: 'none' };
    if (match.restricted) return { kind: 'restricted', childId: match.id };
    if (await this.actorWorksWith(tx, ctx, match.id)) return { kind: 'working', childId: match.id };
    return { kind: 'held', ...(await this.referenceMatch(tx, ctx, match)) };
  }

  /** Whether the actor works with the child (its organisation, or its own place on the case team). */
  private async actorWorksWith(tx: EntityManager, ctx: AccessContext, childId: string): Promise<boolean> {
    return this.access.require(tx, ctx, childId, { working: true }).then(
      () => true,
      () => false,
    );
  }

  /**
   * The child behind a match reference the caller's organisation was given (a possible match it
   * could not see), for a referral or an information request. Anything else is 400 naming the field.
   */
  async childOfMatchReference(tx: EntityManager, ctx: AccessContext, reference: string): Promise<string> {
    const childId = await this.repo.childOfMatchReference(tx, reference, ctx.actor.organisationId);
    if (!childId) {
      throw DomainError.validation([
        { field: 'matchReference', message: 'matchReference is not one your organisation was given' },
      ]);
    }
    return childId;
  }
}
