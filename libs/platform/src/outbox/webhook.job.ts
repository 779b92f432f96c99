import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { type DeliveryResult, type FanOutResult, WebhookDispatcher } from './webhook.dispatcher';

/** The worker's schedule for webhooks: fan new outbox events out, then send what is due. */
@Injectable()
export class WebhookJob implements OnApplicationBootstrap {
  private running = false;

  constructor(private readonly dispatcher: WebhookDispatcher) {}

  /** Secrets stored before sealing existed are sealed when the worker starts. */
  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.sealStoredSecrets();
  }

  /** Null when the previous run is still going (sends can take up to the timeout). */
  @Interval(2000)
  async run(): Promise<(FanOutResult & DeliveryResult) | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const fanned = await this.dispatcher.fanOut();
      const sent = await this.dispatcher.deliverDue();
      return { ...fanned, ...sent };
    } finally {
      this.running = false;
    }
  }
}
