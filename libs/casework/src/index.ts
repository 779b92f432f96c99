// The casework kernel: what every workflow shares (ARCHITECTURE.md §2). Below children: it never
// imports children, referrals, sharing or an agency module. Its tables are its own: other libs
// use the services below, never its entities (test/architecture checks it).
export * from './casework.module';
// Clocks: one deadline table, escalated by one sweep.
export {
  CASE_MANAGERS,
  declaredDeadlineRules,
  declareDeadlineRules,
  type DeadlineRule,
  type DeadlineRuleDeclaration,
  type DeadlineRules,
  type DeadlineRulesOf,
  escalationAudience,
} from './deadlines/deadline-rules';
export * from './deadlines/deadlines.service';
export { EscalationJob, EscalationService } from './deadlines/escalation.service';
// Timescales: declared once, with local values per organisation.
export {
  declaredTimescales,
  declareTimescales,
  TIMESCALE_UNITS,
  type TimescaleDeclaration,
  type TimescaleKey,
  type TimescaleKeys,
  type TimescaleKeysOf,
  type TimescaleUnit,
} from './timescales/timescale-declarations';
export { Timescales, type TimescaleValues } from './timescales/timescales.service';
// Typed domain events, in-process handlers and the outbox.
export {
  declaredEvents,
  declareEvents,
  type DomainEvents,
  type EventDeclaration,
  type EventName,
  type EventPayloads,
  internalEvent,
  publishedEvent,
  publishedEventNames,
} from './events/domain-events';
export * from './events/events.service';
// Notifications: to named users or to the roles that handle an item, never a whole organisation.
export * from './notifications/notifier';
// The shared record as workflows use it, and its grants (children implements both).
export * from './shared-record/shared-record';
export * from './shared-record/disclosures';
// Load one row under the actor's scope, or 404.
export * from './require-scoped';
