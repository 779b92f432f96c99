/**
 * Typed domain events: ONE map of event name -> payload type (`DomainEvents`), which each module
 * extends with the events it emits, in one declaration that gives both the type and the runtime
 * facts (published or not, what it means):
 *
 *   export const REFERRAL_EVENTS = declareEvents({
 *     'referral.status_changed': publishedEvent<ReferralStatusChanged>('A referral changed status.'),
 *   });
 *   declare module '@app/casework' {
 *     interface DomainEvents extends EventPayloads<typeof REFERRAL_EVENTS> {}
 *   }
 *
 * `Events.emit(tx, name, payload, meta)` then accepts exactly the declared names and payloads.
 * A published event also goes to the outbox, and from there to the webhooks of the organisation
 * the meta names: its payload leaves the system, so it carries ids, statuses, organisations and
 * times, never a child's personal data. An internal event only reaches in-process handlers.
 * Declarations run when the module's file is loaded: a module imports its events file from its
 * `*.module.ts`, and an event emitted before its declaration was loaded is refused.
 */

/** Event name -> payload type. Empty here: every module adds its own (see above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by declaration merging
export interface DomainEvents {}

export type EventName = keyof DomainEvents & string;

/** What the kernel knows of an event at run time; `P` is the payload type (compile time only). */
export interface EventDeclaration<P extends object = object> {
  /** Published events go to the outbox and the webhooks of the organisation the meta names. */
  readonly published: boolean;
  /** What happened, for the readers of the catalogue (and the webhook documentation). */
  readonly description: string;
  /** Never set: carries the payload type from the declaration to `DomainEvents`. */
  readonly payloadType?: P;
}

/** An event partner systems may subscribe to (webhooks), and in-process handlers receive. */
export function publishedEvent<P extends object>(description: string): EventDeclaration<P> {
  return { published: true, description };
}

/** An event only in-process handlers receive. */
export function internalEvent<P extends object>(description: string): EventDeclaration<P> {
  return { published: false, description };
}

/** The payload types of a set of declarations: what a module adds to `DomainEvents`. */
export type EventPayloads<T extends Record<string, EventDeclaration>> = {
  [K in keyof T]: T[K] extends EventDeclaration<infer P> ? P : never;
};

const EVENT_NAME = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
const catalogue = new Map<string, EventDeclaration>();
/** Published names, sorted; the same array all along, so what was built from it sees later declarations. */
const published: string[] = [];

/** Adds a module's events to the catalogue; a name declared twice (differently) is a programming error. */
export function declareEvents<T extends Record<string, EventDeclaration>>(events: T): T {
  for (const [name, declaration] of Object.entries(events)) {
    if (!EVENT_NAME.test(name) || name.length > 60) {
      throw new Error(`Event name ${name}: lower-case dotted words (module.what_happened), 60 characters at most`);
    }
    const known = catalogue.get(name);
    if (known !== undefined && known !== declaration) throw new Error(`Event ${name} is declared twice`);
    catalogue.set(name, declaration);
    if (declaration.published && !published.includes(name)) {
      published.push(name);
      published.sort();
    }
  }
  return events;
}

/** The declaration of an event, if a loaded module declared it. */
export function eventDeclaration(name: string): EventDeclaration | undefined {
  return catalogue.get(name);
}

/** Every declared event, in name order. */
export function declaredEvents(): { name: string; published: boolean; description: string }[] {
  return [...catalogue.entries()]
    .map(([name, d]) => ({ name, published: d.published, description: d.description }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The names partner systems may subscribe to: every published event, sorted. */
export function publishedEventNames(): readonly string[] {
  return [...published];
}

/**
 * The live list behind `publishedEventNames()`, for decorators that capture an array when a class
 * is defined (validation, OpenAPI) but read it only when a request or the document is handled,
 * after every module's declarations have loaded. Inside casework only.
 */
export const LIVE_PUBLISHED_EVENT_NAMES: readonly string[] = published;
