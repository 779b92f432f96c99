import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Notification } from './notification.entity';

/** Who a notification goes to: named users, or the roles (of an organisation, maybe one team) that handle it. */
export type Audience =
  | { organisationId: string; teamId?: string | null; roles: readonly string[] }
  | { organisationId: string; userIds: readonly string[] };

export interface NotificationSpec {
  kind: string;
  subjectType: string;
  subjectId: string;
  /** What happened and where to look: no child's details, no free text from a case. */
  message: string;
}

/**
 * The one way notifications are written: always to named users or to roles (never a whole
 * organisation), in the caller's transaction so they exist exactly when the change does.
 */
@Injectable()
export class Notifier {
  async send(tx: EntityManager, audience: Audience, spec: NotificationSpec): Promise<void> {
    const rows =
      'userIds' in audience
        ? audience.userIds.map((userId) => ({
            organisationId: audience.organisationId,
            teamId: null,
            userId,
            audienceRoles: [],
            ...spec,
          }))
        : [
            {
              organisationId: audience.organisationId,
              teamId: audience.teamId ?? null,
              userId: null,
              audienceRoles: [...audience.roles],
              ...spec,
            },
          ];
    if ('roles' in audience && audience.roles.length === 0) {
      throw new Error(`Notification ${spec.kind} has no audience: name the roles that handle it`);
    }
    if (rows.length > 0) await tx.getRepository(Notification).insert(rows);
  }
}
