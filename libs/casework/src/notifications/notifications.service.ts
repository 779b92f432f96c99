import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, Clock, decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import type { NotificationDto } from './notifications.dto';

/** Notifications addressed to me, or to a role of mine in my organisation (and my team, if one is named). */
const ADDRESSED_TO_ME = `n.organisation_id = :org AND (
    n.user_id = :me
    OR (n.user_id IS NULL AND (n.team_id IS NULL OR n.team_id = :team) AND n.audience_roles && :roles::text[]))`;

@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(
    actor: Actor,
    limit: number,
    cursor: string | undefined,
    unreadOnly: boolean,
  ): Promise<Page<NotificationDto>> {
    const params: Record<string, unknown> = {
      org: actor.organisationId,
      me: actor.id,
      team: actor.teamId,
      roles: actor.roles,
      limit: limit + 1,
    };
    const where = [ADDRESSED_TO_ME];
    if (unreadOnly) where.push('r.user_id IS NULL');
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    if (after) {
      Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
      where.push('(n.created_at, n.id) < (:cc, :ci)');
    }
    const rows = await namedQuery<NotificationDto>(
      this.db.manager,
      `SELECT n.id, n.kind, n.subject_type AS "subjectType", n.subject_id AS "subjectId", n.message, n.created_at AS "createdAt",
              (r.user_id IS NOT NULL) AS read
         FROM notification n LEFT JOIN notification_read r ON r.notification_id = n.id AND r.user_id = :me
        WHERE ${where.join(' AND ')} ORDER BY n.created_at DESC, n.id DESC LIMIT :limit`,
      params,
    );
    return toPage(rows, limit, (n) => [new Date(n.createdAt).toISOString(), n.id]);
  }

  async markRead(actor: Actor, id: string): Promise<void> {
    const rows = await namedQuery(
      this.db.manager,
      `INSERT INTO notification_read (notification_id, user_id, read_at)
       SELECT n.id, :me, :now FROM notification n WHERE n.id = :id AND ${ADDRESSED_TO_ME}
       ON CONFLICT DO NOTHING RETURNING notification_id`,
      { id, me: actor.id, now: this.clock.now(), org: actor.organisationId, team: actor.teamId, roles: actor.roles },
    );
    if (rows.length === 0) {
      const exists = await namedQuery(
        this.db.manager,
        `SELECT 1 FROM notification n JOIN notification_read r ON r.notification_id = n.id AND r.user_id = :me WHERE n.id = :id`,
        { id, me: actor.id },
      );
      if (exists.length === 0) throw DomainError.notFound('Notification');
    }
  }
}
