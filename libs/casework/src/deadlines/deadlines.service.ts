import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, namedQuery } from '@app/platform';
import { type DeadlineRule, deadlineRule } from './deadline-rules';

/** The piece of work a clock runs on: its kind (as notifications name it) and id. */
export interface DeadlineSubject {
  type: string;
  id: string;
}

export interface OpenDeadline {
  subject: DeadlineSubject;
  rule: DeadlineRule;
  dueAt: Date;
  /** The organisation that must act. */
  organisationId: string;
  /** The team that must act, if one (its managers hear first when it is overdue). */
  teamId?: string | null;
  /** The person it is whose, if one. */
  responsibleUserId?: string | null;
  /** The child the work is about, when known. */
  childId?: string | null;
}

/**
 * Who takes a running clock over. A field left out keeps the clock's; null clears it. A clock that
 * moves to another organisation keeps no team or person of the old one unless they are named.
 */
export interface DeadlineHolder {
  organisationId?: string;
  teamId?: string | null;
  responsibleUserId?: string | null;
}

/** A running clock, as a workflow reads it. */
export interface DeadlineView {
  rule: DeadlineRule;
  dueAt: Date;
  organisationId: string;
  teamId: string | null;
  responsibleUserId: string | null;
  overdue: boolean;
}

/**
 * Every workflow's clocks, in the workflow's own transaction: a workflow opens, reschedules and
 * closes its deadlines here and never touches the table. At most one clock per rule runs on a
 * piece of work. The escalation sweep (EscalationService) does the rest.
 */
@Injectable()
export class Deadlines {
  constructor(private readonly clock: Clock) {}

  /**
   * Starts the clock. If it is already running it is never extended this way: the earlier due time
   * stands (reschedule to move it either way). Returns the due time in force. Safe when two
   * transactions open the same clock at once (one insert wins, the other keeps the earlier).
   */
  async open(tx: EntityManager, spec: OpenDeadline): Promise<Date> {
    this.checkRule(spec.rule);
    const rows = await namedQuery<{ due_at: Date }>(
      tx,
      `INSERT INTO deadline (subject_type, subject_id, child_id, organisation_id, team_id, responsible_user_id, rule,
                             due_at, state, opened_at)
       VALUES (:subjectType, :subjectId, :childId, :organisationId, :teamId, :responsibleUserId, :rule, :dueAt, 'open', :now)
       ON CONFLICT (subject_type, subject_id, rule) WHERE state = 'open'
       DO UPDATE SET due_at = least(deadline.due_at, excluded.due_at)
       RETURNING due_at`,
      {
        subjectType: spec.subject.type,
        subjectId: spec.subject.id,
        childId: spec.childId ?? null,
        organisationId: spec.organisationId,
        teamId: spec.teamId ?? null,
        responsibleUserId: spec.responsibleUserId ?? null,
        rule: spec.rule,
        dueAt: spec.dueAt,
        now: this.clock.now(),
      },
    );
    return new Date(rows[0]!.due_at);
  }

  /**
   * Moves a running clock to a new due time (a timescale changed, a step restarted it). If the new
   * time is still ahead, the clock is no longer overdue and its escalation starts over; a level
   * raised before is not raised twice. False when no such clock runs.
   */
  async reschedule(tx: EntityManager, subject: DeadlineSubject, rule: DeadlineRule, dueAt: Date): Promise<boolean> {
    this.checkRule(rule);
    const rows = await this.secondLook(() =>
      namedQuery(
        tx,
        // In a CTE, so the statement answers rows (an UPDATE on its own answers rows and a count).
        `WITH moved AS (
           UPDATE deadline SET due_at = :dueAt,
                  overdue_at = CASE WHEN :dueAt::timestamptz > :now THEN NULL ELSE overdue_at END,
                  next_escalation_at = CASE WHEN :dueAt::timestamptz > :now THEN NULL ELSE next_escalation_at END
            WHERE subject_type = :type AND subject_id = :id AND rule = :rule AND state = 'open' RETURNING id)
         SELECT id FROM moved`,
        { ...subject, rule, dueAt, now: this.clock.now() },
      ),
    );
    return rows.length > 0;
  }

  /**
   * Stops the clocks of a piece of work: one rule's, or (no rule) all of them. `met`: what was due
   * was done; `cancelled`: it no longer needs doing (withdrawn). Returns how many stopped.
   */
  async close(
    tx: EntityManager,
    subject: DeadlineSubject,
    outcome: 'met' | 'cancelled',
    rule?: DeadlineRule,
  ): Promise<number> {
    if (rule !== undefined) this.checkRule(rule);
    const rows = await this.secondLook(() =>
      namedQuery(
        tx,
        `WITH closed AS (
           UPDATE deadline SET state = :outcome, closed_at = :now, next_escalation_at = NULL
            WHERE subject_type = :type AND subject_id = :id AND state = 'open' ${rule !== undefined ? 'AND rule = :rule' : ''}
            RETURNING id)
         SELECT id FROM closed`,
        { ...subject, outcome, rule, now: this.clock.now() },
      ),
    );
    return rows.length;
  }

  /**
   * Hands the running clocks of a piece of work (one rule's, or all of them) to a new holder, in
   * one statement: each closes as 'handed_over' and the same clock (rule, due time, child) starts
   * for the new holder, the old naming the new (`handed_over_to`). A clock's holder is never
   * changed in place, so the table stays the history of who held what (responsibility, timeline).
   * A clock the new holder already holds is left as it is. Returns how many were handed over.
   *
   * Escalation follows the holder: the new clock starts un-escalated. If the old one was already
   * overdue, the next sweep finds the new one overdue and tells the NEW holder's managers (levels
   * counted from the same due time, so work handed over long overdue goes to level 1 and 2 at
   * once); what was raised to the old holder's managers stays on the old clock.
   *
   * Safe beside other writers: the running clocks are locked before anything is compared; a
   * hand-over, close or reschedule that waited on them looks again and finds the new clock, so
   * the later one wins as if they had run one after the other (uq_deadline_open keeps one
   * running clock per rule whatever the order).
   */
  async handOver(
    tx: EntityManager,
    subject: DeadlineSubject,
    to: DeadlineHolder,
    rule?: DeadlineRule,
  ): Promise<number> {
    if (rule !== undefined) this.checkRule(rule);
    // The new holder, from the running clock's own columns where `to` leaves a field out.
    const org = 'coalesce(CAST(:org AS uuid), organisation_id)';
    const moved = `${org} <> organisation_id`;
    const team = `CASE WHEN :teamGiven THEN CAST(:team AS uuid) WHEN ${moved} THEN NULL ELSE team_id END`;
    const user = `CASE WHEN :userGiven THEN CAST(:user AS uuid) WHEN ${moved} THEN NULL ELSE responsible_user_id END`;
    const moving = `(${org}, ${team}, ${user}) IS DISTINCT FROM (organisation_id, team_id, responsible_user_id)`;
    const rows = await this.secondLook(() =>
      namedQuery(
        tx,
        // Every running clock is updated (so locked), even one the new holder already holds, which
        // is left as it was: a condition in WHERE would be judged before the row's lock is waited
        // for, and a hand-over that commits meanwhile would be missed.
        `WITH old AS (
           UPDATE deadline
              SET state = CASE WHEN ${moving} THEN 'handed_over' ELSE state END,
                  closed_at = CASE WHEN ${moving} THEN CAST(:now AS timestamptz) ELSE closed_at END,
                  next_escalation_at = CASE WHEN ${moving} THEN NULL ELSE next_escalation_at END,
                  handed_over_to = CASE WHEN ${moving} THEN gen_random_uuid() END
            WHERE subject_type = :type AND subject_id = :id AND state = 'open' ${rule !== undefined ? 'AND rule = :rule' : ''}
            RETURNING handed_over_to, subject_type, subject_id, child_id, ${org} AS organisation_id, ${team} AS team_id,
                      ${user} AS responsible_user_id, rule, due_at),
         opened AS (
           INSERT INTO deadline (id, subject_type, subject_id, child_id, organisation_id, team_id, responsible_user_id, rule,
                                 due_at, state, opened_at)
           SELECT handed_over_to, subject_type, subject_id, child_id, organisation_id, team_id, responsible_user_id, rule,
                  due_at, 'open', :now FROM old WHERE handed_over_to IS NOT NULL
           RETURNING id)
         SELECT id FROM opened`,
        {
          ...subject,
          rule,
          org: to.organisationId ?? null,
          teamGiven: to.teamId !== undefined,
          team: to.teamId ?? null,
          userGiven: to.responsibleUserId !== undefined,
          user: to.responsibleUserId ?? null,
          now: this.clock.now(),
        },
      ),
    );
    return rows.length;
  }

  /** The clocks running on a piece of work, earliest first. */
  async running(tx: EntityManager, subject: DeadlineSubject): Promise<DeadlineView[]> {
    return namedQuery<DeadlineView>(
      tx,
      `SELECT rule, due_at AS "dueAt", organisation_id AS "organisationId", team_id AS "teamId",
              responsible_user_id AS "responsibleUserId", due_at < :now AS overdue
         FROM deadline WHERE subject_type = :type AND subject_id = :id AND state = 'open' ORDER BY due_at, rule`,
      { ...subject, now: this.clock.now() },
    );
  }

  /**
   * A statement on running clocks that found none looks once more. Under READ COMMITTED, one that
   * waited for a concurrent hand-over re-checks only the row it waited for (now 'handed_over') and
   * never sees the clock started beside it; a second statement does.
   */
  private async secondLook<T>(run: () => Promise<T[]>): Promise<T[]> {
    const rows = await run();
    return rows.length > 0 ? rows : run();
  }

  private checkRule(rule: string): void {
    if (!deadlineRule(rule)) throw new Error(`No module declared the deadline rule ${rule}`);
  }
}
