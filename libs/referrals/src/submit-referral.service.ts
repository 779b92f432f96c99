import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type AccessContext, openBetween } from '@app/access';
import { Deadlines, Notifier, SharedRecord, Timescales } from '@app/casework';
import { Clock, DomainError, type FieldError, type OrganisationType } from '@app/platform';
import { urgencyOf } from './referral-state';
import type { Rag } from './referral.entity';
import type { ReferralView } from './referral-view';
import type { CreateReferralDto } from './referrals.dto';
import { ReferralError } from './referrals.errors';
import { ReferralsRepository } from './referrals.repository';
import {
  concernClock,
  REFERRAL_RECEIVERS,
  referralClock,
  requireChildOrSubject,
  subjectColumns,
} from './referrals.rules';

/**
 * Sending a referral to another agency's team: about a child record the sender works with, a child
 * another agency holds (by match reference), or a child not yet identified; taking with it the
 * sender's open concerns it refers on. The receiving team is told, the decision clock starts, and
 * (for a known child) triage opens and those working with the child learn of it.
 */
@Injectable()
export class SubmitReferralService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReferralsRepository,
    private readonly record: SharedRecord,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  async createReferral(ctx: AccessContext, dto: CreateReferralDto): Promise<ReferralView> {
    requireChildOrSubject(dto.childId ?? dto.matchReference, dto.subject, false);
    if (!dto.consentObtained && (!dto.noConsentReason || !dto.lawfulBasis)) {
      const errors: FieldError[] = [];
      if (!dto.noConsentReason)
        errors.push({ field: 'noConsentReason', message: 'noConsentReason is required when consent was not obtained' });
      if (!dto.lawfulBasis)
        errors.push({ field: 'lawfulBasis', message: 'lawfulBasis is required when consent was not obtained' });
      throw DomainError.validation(errors);
    }
    return this.db.transaction(async (tx) => {
      const team = await this.repo.receivingTeam(tx, dto.toTeamId, ctx.actor.organisationId);
      if (!team) throw ReferralError.unknownTeam();

      let childId: string | null = null;
      let subject = subjectColumns(dto.subject);
      if (dto.childId) {
        // Referring a child by its record opens triage for another team and writes onto the record:
        // only an organisation working with the child may (a disclosure or triage only reads).
        const child = await this.record.requireChild(tx, ctx, dto.childId, { working: true });
        childId = child.id;
        // A restricted child stays with its case team: refer only to a team someone of it can work in.
        if (child.restricted && !(await this.record.caseTeamWorksIn(tx, child.id, team.organisation_id))) {
          throw ReferralError.restrictedChild();
        }
        // The referral shares who the child is, as far as the referrer itself may read it.
        const seen = this.record.identityOf(ctx, child);
        subject = {
          ...subject,
          givenName: seen.givenName ?? subject.givenName,
          familyName: seen.familyName ?? subject.familyName,
          dateOfBirth: seen.dateOfBirth ?? subject.dateOfBirth,
        };
      } else if (dto.matchReference) {
        const matched = await this.record.childOfMatchReference(tx, ctx, dto.matchReference);
        // A child restricted since the match is referred as an unknown one; its case team is told.
        if (await this.record.isRestricted(tx, matched)) {
          await this.record.tellCaseTeam(tx, matched, {
            kind: 'child.linked',
            message:
              'A referral was sent about a child who may be this restricted child. Review it with the case team.',
          });
        } else {
          childId = matched;
        }
      }

      const concerns = dto.concernIds ?? [];
      if (concerns.length) {
        const found = await this.repo.lockOpenConcerns(tx, ctx, concerns);
        if (found.length !== concerns.length) {
          throw DomainError.validation([
            { field: 'concernIds', message: 'concernIds must be open concerns of your organisation' },
          ]);
        }
      }

      const now = this.clock.now();
      const dueAt = await this.timescales.due(tx, team.organisation_id, 'referral.decision', now);
      const rag = dto.rag as Rag;
      const referral = await this.repo.insertReferral(tx, {
        fromOrganisationId: ctx.actor.organisationId,
        fromActorId: ctx.actor.id,
        toOrganisationId: team.organisation_id,
        toTeamId: team.id,
        childId,
        subject,
        reason: dto.reason,
        rag,
        immediateDanger: dto.immediateDanger ?? false,
        consentObtained: dto.consentObtained,
        noConsentReason: dto.consentObtained ? null : (dto.noConsentReason ?? null),
        lawfulBasis: dto.consentObtained ? null : (dto.lawfulBasis ?? null),
        status: 'SUBMITTED',
        urgency: urgencyOf(dto.immediateDanger ?? false, rag),
        dueAt,
      });
      await this.deadlines.open(tx, {
        subject: referralClock(referral.id),
        rule: 'referral.decision',
        dueAt,
        organisationId: team.organisation_id,
        teamId: team.id,
        childId,
      });
      await this.repo.recordTransition(tx, {
        referralId: referral.id,
        fromStatus: null,
        toStatus: 'SUBMITTED',
        actorId: ctx.actor.id,
        organisationId: ctx.actor.organisationId,
        reason: null,
        at: now,
      });
      if (concerns.length) {
        await this.repo.linkConcerns(tx, referral.id, concerns);
        await this.repo.markConcernsReferred(tx, concerns, {
          actorId: ctx.actor.id,
          at: now,
          // A child named by match reference stays unknown to the referrer, its concerns included.
          childId: dto.childId ? childId : null,
        });
        // Referred on: the lead's decision on each concern is made.
        for (const concernId of concerns) await this.deadlines.close(tx, concernClock(concernId), 'met');
      }
      const received = {
        kind: referral.immediateDanger ? 'referral.received.immediate_danger' : 'referral.received',
        subjectType: 'Referral',
        subjectId: referral.id,
        message: `${referral.immediateDanger ? 'IMMEDIATE DANGER: ' : ''}New ${rag} referral for ${team.name}; decision due ${referral.dueAt?.toISOString()}.`,
      };
      // About a restricted child: only the case team's members in the receiving organisation may open it.
      const caseTeam = childId && dto.childId ? await this.record.caseTeamOf(tx, childId) : [];
      await this.notifier.send(
        tx,
        caseTeam.length
          ? {
              organisationId: team.organisation_id,
              userIds: await this.repo.activeUsersAmong(tx, caseTeam, team.organisation_id),
            }
          : { organisationId: team.organisation_id, teamId: team.id, roles: REFERRAL_RECEIVERS },
        received,
      );
      if (childId) {
        await this.record.openTriage(tx, childId, {
          id: referral.id,
          organisationId: team.organisation_id,
          teamId: team.id,
        });
        // The duty to collaborate: those working with the child learn of the referral, and the
        // receiving team learns who they are.
        await this.record.tellHolders(tx, ctx, childId, {
          referral: {
            id: referral.id,
            organisationId: team.organisation_id,
            organisationType: team.type as OrganisationType,
            teamId: team.id,
          },
        });
      }
      if (childId && dto.childId) {
        await this.record.addEntry(tx, ctx, childId, {
          category: 'referral',
          summary: `Referral sent to ${team.org_name} (${team.name}), RAG ${rag}.`,
          shareable: true,
          multiAgency: openBetween(ctx.actor.organisationType, team.type as OrganisationType),
        });
      }
      await this.record.recordStep(tx, ctx, 'referral.create', 'Referral', [referral.id], childId, {
        consentObtained: dto.consentObtained,
        lawfulBasis: dto.lawfulBasis ?? null,
        toOrganisationId: team.organisation_id,
      });
      return this.repo.view(tx, ctx, referral.id, this.clock.now());
    });
  }
}
