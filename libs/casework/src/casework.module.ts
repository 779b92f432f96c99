import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { OutboxModule } from '@app/platform';
import { Deadline, Escalation } from './deadlines/deadline.entity';
import { Deadlines } from './deadlines/deadlines.service';
import { EscalationService } from './deadlines/escalation.service';
import { Events } from './events/events.service';
import { Notification, NotificationRead } from './notifications/notification.entity';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsService } from './notifications/notifications.service';
import { Notifier } from './notifications/notifier';
import { OrganisationTimescale } from './timescales/organisation-timescale.entity';
import { TimescalesAdmin } from './timescales/timescales-admin.service';
import { TimescalesController } from './timescales/timescales.controller';
import { Timescales } from './timescales/timescales.service';
import { WebhooksController } from './webhooks/webhooks.controller';

export const CASEWORK_ENTITIES = [Deadline, Escalation, OrganisationTimescale, Notification, NotificationRead];

/**
 * What every workflow shares: clocks (Deadlines, Timescales), notifications (Notifier), typed
 * domain events (Events) and the escalation sweep. Import it wherever a workflow runs, in the API
 * and in the worker; it is one instance per process (handlers registered on Events are shared).
 * The worker also provides EscalationJob, which runs the sweep on a schedule.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CASEWORK_ENTITIES), OutboxModule],
  providers: [Deadlines, Timescales, Notifier, Events, EscalationService],
  exports: [Deadlines, Timescales, Notifier, Events, EscalationService],
})
export class CaseworkModule {}

/** The kernel's routes, for the API: my notifications, an organisation's timescales, webhook subscriptions. */
@Module({
  imports: [CaseworkModule, OutboxModule, AuditModule],
  controllers: [NotificationsController, TimescalesController, WebhooksController],
  providers: [NotificationsService, TimescalesAdmin],
})
export class CaseworkApiModule {}
