import { createMongoAbility, type ForcedSubject, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { packRules } from '@casl/ability/extra';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Actor } from '@app/platform';
import { CLIENT_BASE, EVERY_ACTOR, POLICY, SCOPE_POLICY, type Action, type RuleSpec, type Subject } from './policy';
import { isRole, SCOPES, type Scope } from './roles';

export type AppAbility = MongoAbility<[Action, Subject | ForcedSubject<Exclude<Subject, 'all'>>]>;
type RawRule = RawRuleOf<AppAbility>;

const PLACEHOLDER = /^\$\{actor\.(id|organisationId|teamId)\}$/;

function interpolate(value: unknown, actor: Actor): unknown {
  if (typeof value === 'string') {
    const m = PLACEHOLDER.exec(value);
    if (!m) return value;
    const key = m[1] as 'id' | 'organisationId' | 'teamId';
    // An actor without a team matches no team-scoped rule, rather than every team.
    return actor[key] ?? '00000000-0000-0000-0000-000000000000';
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, actor));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, actor)]));
  }
  return value;
}

export function rulesFor(actor: Actor): RawRule[] {
  const specs: RuleSpec[] = [];
  if (actor.kind === 'user') {
    for (const role of actor.roles) if (isRole(role)) specs.push(...POLICY[role]);
  } else {
    specs.push(...CLIENT_BASE);
    for (const scope of actor.scopes) {
      if ((SCOPES as readonly string[]).includes(scope)) {
        specs.push(...(SCOPE_POLICY[scope as Scope][actor.organisationType] ?? []));
      }
    }
  }
  specs.push(...EVERY_ACTOR);
  // Allow rules first, then inverted ones: CASL gives later rules priority.
  const ordered = [...specs.filter((s) => !s.inverted), ...specs.filter((s) => s.inverted)];
  return ordered.map((spec) => ({
    action: spec.action,
    subject: spec.subject,
    ...(spec.conditions ? { conditions: interpolate(spec.conditions, actor) as Record<string, unknown> } : {}),
    ...(spec.fields ? { fields: spec.fields } : {}),
    ...(spec.inverted ? { inverted: true } : {}),
    ...(spec.reason ? { reason: spec.reason } : {}),
  })) as RawRule[];
}

/**
 * Builds the actor's ability from the policy: the same object guards routes, SQL and fields.
 * An ability depends only on the actor's claims (the policy is code), and nothing mutates it, so
 * one is kept per distinct actor: building it was ~6% of a child read's CPU (bench/README.md).
 */
@Injectable()
export class AbilityFactory {
  private readonly built = new LRUCache<string, AppAbility>({ max: 10_000 });

  for(actor: Actor): AppAbility {
    const key = JSON.stringify([
      actor.kind,
      actor.id,
      actor.organisationId,
      actor.organisationType,
      actor.teamId,
      actor.roles,
      actor.scopes,
    ]);
    let ability = this.built.get(key);
    if (ability === undefined) {
      ability = createMongoAbility<AppAbility>(rulesFor(actor));
      this.built.set(key, ability);
    }
    return ability;
  }

  /** The actor's rules, packed, for clients that adapt their screens (`GET /me`). */
  packed(actor: Actor): unknown[] {
    return packRules(rulesFor(actor) as never);
  }
}
