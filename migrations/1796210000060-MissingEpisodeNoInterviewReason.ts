import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A missing episode closed as NO_INTERVIEW carries its reason (issue 14, an audit): the API let
 * `{"noInterviewReason": null}` through and recorded NO_INTERVIEW with no reason, meeting the
 * return interview clock. The table now refuses it too. An episode already closed that way keeps
 * its status, with a reason that says none was recorded (so the gap stays visible, not hidden).
 */
export class MissingEpisodeNoInterviewReason1796210000060 implements MigrationInterface {
  name = 'MissingEpisodeNoInterviewReason1796210000060';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE missing_episode SET no_interview_reason = '(none recorded: closed without a reason before one was required)'
        WHERE status = 'NO_INTERVIEW' AND no_interview_reason IS NULL`,
    );
    await q.query(
      `ALTER TABLE missing_episode ADD CONSTRAINT ck_missing_episode_no_interview_reason
         CHECK (status <> 'NO_INTERVIEW' OR no_interview_reason IS NOT NULL)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE missing_episode DROP CONSTRAINT ck_missing_episode_no_interview_reason');
  }
}
