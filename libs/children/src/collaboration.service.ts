import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AccessContext, mayLearnOfInvolvement, mayNameHolder, rolesAllowed } from '@app/access';
import { type CollaborationNotice, Events, Notifier } from '@app/casework';
import { Clock, type OrganisationType } from '@app/platform';
import { ChildrenRepository, type HolderRow } from './children.repository';

/** Roles that handle a possible match on a child their organisation holds: those who decide what to share. */
const MATCH_HANDLERS = rolesAllowed('receive', 'InformationRequest');
/** Roles that work a receiving team's referrals. */
const REFERRAL_RECEIVERS = rolesAllowed('receive', 'Referral');

/** The duty to collaborate: who is told when another organisation starts working with a child. */
@Injectable()
export class Collaboration {
  constructor(
    private readonly repo: ChildrenRepository,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  /**
   * The duty to collaborate, both ways, in one place. The organisations working with a child learn
   * that another one is now working with it (a registration that matched: `matchReference`) or has
   * received a referral about it (`referral`): who, and how to ask, never what it holds. Told are
   * the roles that decide what their organisation shares. The receiver of a referral learns in turn
   * who works with the child, those the tipping-off rules let it learn of, to ask them.
   * Returns every holder told: the caller decides what else it may repeat to whom.
   * A restricted child's holders are not told at all (nor the receiver): only its case team, by name;
   * and the newcomer is named to a holder only where a match answer could name it (tipping off).
   */
  async tellHolders(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    about: CollaborationNotice,
  ): Promise<HolderRow[]> {
    const now = this.clock.now();
    const newcomerId = 'referral' in about ? about.referral.organisationId : ctx.actor.organisationId;
    const newcomer = await this.repo.organisation(tx, newcomerId);
    const restricted = await this.repo.restrictedOf(tx, childId);
    if (!newcomer || restricted === null) return [];
    if (restricted) {
      await this.tellCaseTeam(tx, childId, {
        kind: 'child.linked',
        message:
          'referral' in about
            ? `${newcomer.name} has received a referral about this restricted child.`
            : `${newcomer.name} asked about a child who may be this restricted child.`,
      });
      return [];
    }
    const holders = await this.repo.activeHolders(
      tx,
      childId,
      { me: ctx.actor.organisationId, newcomer: newcomerId },
      now,
    );
    for (const h of holders) {
      const named = mayNameHolder(h.type, newcomer.type);
      const who = named ? newcomer.name : 'Another agency';
      const message =
        'matchReference' in about
          ? `${who} is working with a child your organisation holds (match reference ${about.matchReference}); expect an information request.`
          : `${who} has received a referral about a child your organisation holds.`;
      await this.notifier.send(
        tx,
        { organisationId: h.organisationId, roles: MATCH_HANDLERS },
        { kind: 'child.linked', subjectType: 'Child', subjectId: childId, message },
      );
      await this.events.emit(
        tx,
        'child.linked',
        {
          childId,
          ...('matchReference' in about ? { matchReference: about.matchReference } : {}),
          ...('referral' in about ? { referralId: about.referral.id } : {}),
          otherOrganisation: named ? { id: newcomerId, name: newcomer.name } : { id: null, name: 'Another agency' },
        },
        { organisationId: h.organisationId },
      );
    }
    if ('referral' in about) await this.tellReceiver(tx, childId, about.referral, holders);
    return holders;
  }

  /** The receiving team of a referral learns who else works with the child (those it may learn of). */
  private async tellReceiver(
    tx: EntityManager,
    childId: string,
    referral: { id: string; organisationId: string; organisationType: OrganisationType; teamId: string },
    holders: HolderRow[],
  ): Promise<void> {
    const known = holders
      .filter((h) =>
        mayLearnOfInvolvement(
          { organisationId: referral.organisationId, organisationType: referral.organisationType, roles: [] },
          { organisationId: h.organisationId, organisationType: h.type, basis: 'referral_accepted' },
        ),
      )
      .map((h) => ({ id: h.organisationId, name: h.name }));
    if (!known.length) return;
    await this.notifier.send(
      tx,
      { organisationId: referral.organisationId, teamId: referral.teamId, roles: REFERRAL_RECEIVERS },
      {
        kind: 'child.linked',
        subjectType: 'Referral',
        subjectId: referral.id,
        message: `Other organisations work with the child in this referral: ${known.map((o) => o.name).join(', ')}. Ask them with an information request.`,
      },
    );
    await this.events.emit(
      tx,
      'child.linked',
      { referralId: referral.id, childId, holders: known },
      { organisationId: referral.organisationId },
    );
  }

  /**
   * A restricted child's case team, told privately (by name, never a whole role): by default that a
   * registration may duplicate the child.
   */
  async tellCaseTeam(
    tx: EntityManager,
    childId: string,
    notice: { kind: string; message: string } = {
      kind: 'child.possible_duplicate',
      message:
        'Another organisation registered a child who may be this restricted child. Review it with the case team.',
    },
  ): Promise<void> {
    const team = await this.repo.activeCaseTeam(tx, childId);
    for (const orgId of new Set(team.map((m) => m.organisation_id))) {
      await this.notifier.send(
        tx,
        { organisationId: orgId, userIds: team.filter((m) => m.organisation_id === orgId).map((m) => m.user_id) },
        { kind: notice.kind, subjectType: 'Child', subjectId: childId, message: notice.message },
      );
    }
  }
}
