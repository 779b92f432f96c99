import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxEvent } from './outbox-event.entity';
import { OutboxService } from './outbox.service';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WEBHOOK_OPTIONS, type WebhookOptions } from './webhook-options';
import { WebhookSubscription } from './webhook-subscription.entity';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookTargets } from './webhook-target';

export const OUTBOX_ENTITIES = [OutboxEvent, WebhookSubscription, WebhookDelivery];

/**
 * The outbox and its webhook delivery. Use cases call `OutboxService.emit(tx, event)`; the worker
 * also provides `WebhookJob`, which runs the dispatcher on a schedule.
 */
@Module({
  imports: [TypeOrmModule.forFeature(OUTBOX_ENTITIES)],
  providers: [OutboxService, WebhookDispatcher, WebhookTargets],
  exports: [OutboxService, WebhookDispatcher, WebhookTargets],
})
export class OutboxModule {
  /** The same module with other delivery settings (tests). */
  static withOptions(options: Partial<WebhookOptions>): DynamicModule {
    return {
      module: OutboxModule,
      providers: [{ provide: WEBHOOK_OPTIONS, useValue: options }],
    };
  }
}
