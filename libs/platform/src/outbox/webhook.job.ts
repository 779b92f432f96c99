import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { type DeliveryResult, type FanOutResult, WebhookDispatcher } from './webhook.dispatcher';

/** The worker's schedule for webhooks: fan new outbox events out, then send what is due. */
@Injectable()
export class WebhookJob {
  private running = false;

  constructor(private readonly dispatcher: WebhookDispatcher) {}

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
