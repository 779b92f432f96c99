import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, OutboxService } from '@app/platform';
import { type DomainEvents, eventDeclaration, type EventName } from './domain-events';

/** Who an event is for: the organisation whose webhook subscribers receive it, if it is published. */
export interface EventMeta {
  organisationId: string;
}

/** An event as handlers receive it. */
export interface DomainEvent<K extends EventName = EventName> {
  name: K;
  payload: DomainEvents[K];
  organisationId: string;
  occurredAt: Date;
}

/** Reacts to an event inside the emitter's transaction: what it writes commits (or not) with the change. */
export type EventHandler<K extends EventName> = (tx: EntityManager, event: DomainEvent<K>) => Promise<void>;

/**
 * Emits typed domain events in the transaction of the change (ARCHITECTURE.md §2): a published
 * event is written to the outbox there (so it is delivered if and only if the change commits), and
 * every handler registered for it runs there, in registration order. A handler that throws rolls
 * the whole change back: handlers are part of the use case, not fire-and-forget.
 *
 * Modules that react register their handlers when they start (`onModuleInit`):
 *
 *   constructor(private readonly events: Events) {}
 *   onModuleInit() { this.events.on('referral.status_changed', (tx, e) => this.openCase(tx, e.payload)); }
 *
 * A process runs the handlers of the modules it loads: a module whose reactions matter to an
 * event the worker emits must be loaded by the worker too.
 */
@Injectable()
export class Events {
  private readonly handlers = new Map<string, EventHandler<EventName>[]>();

  constructor(
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  on<K extends EventName>(name: K, handler: EventHandler<K>): void {
    if (!eventDeclaration(name)) throw new Error(`No module declared the event ${name}: declare it before handling it`);
    const list = this.handlers.get(name) ?? [];
    list.push(handler as unknown as EventHandler<EventName>);
    this.handlers.set(name, list);
  }

  async emit<K extends EventName>(
    tx: EntityManager,
    name: K,
    payload: DomainEvents[K],
    meta: EventMeta,
  ): Promise<void> {
    const declaration = eventDeclaration(name);
    if (!declaration) throw new Error(`No module declared the event ${name}: declare it (declareEvents) and load it`);
    if (!tx.queryRunner?.isTransactionActive) {
      throw new Error(`Event ${name}: emit needs the entity manager of the transaction that makes the change`);
    }
    const event: DomainEvent<K> = { name, payload, organisationId: meta.organisationId, occurredAt: this.clock.now() };
    if (declaration.published) {
      await this.outbox.emit(tx, {
        type: name,
        organisationId: meta.organisationId,
        payload,
        occurredAt: event.occurredAt,
      });
    }
    for (const handler of this.handlers.get(name) ?? []) await handler(tx, event as unknown as DomainEvent<EventName>);
  }
}
