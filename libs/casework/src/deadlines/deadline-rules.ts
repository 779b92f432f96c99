import type { Role } from '@app/access';
import type { OrganisationType } from '@app/platform';

/**
 * Deadline rules: the name of each statutory or local clock a deadline runs under (e.g.
 * 'referral.decision'), declared ONCE by the module that owns it:
 *
 *   export const REFERRAL_RULES = declareDeadlineRules({
 *     'referral.decision': { description: 'A decision on a referral within 1 working day of receipt.' },
 *   });
 *   declare module '@app/casework' {
 *     interface DeadlineRules extends DeadlineRulesOf<typeof REFERRAL_RULES> {}
 *   }
 *
 * An overdue deadline goes up to the rule's escalation audience: by default the case managers of
 * the kind of organisation that holds it (CASE_MANAGERS); a rule may name its own.
 */
export interface DeadlineRuleDeclaration {
  readonly description: string;
  /** Who it goes up to when overdue, by kind of organisation; unset kinds use CASE_MANAGERS. */
  readonly escalateTo?: Partial<Record<OrganisationType, readonly Role[]>>;
}

/** Rule name -> declaration. Empty here: every module adds its own (see above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by declaration merging
export interface DeadlineRules {}

export type DeadlineRule = keyof DeadlineRules & string;

export type DeadlineRulesOf<T extends Record<string, DeadlineRuleDeclaration>> = {
  [K in keyof T]: DeadlineRuleDeclaration;
};

/**
 * Who overdue work goes up to, by the kind of organisation holding it: the roles that manage
 * case work there. Never organisation administrators, who read no case work.
 */
export const CASE_MANAGERS: Readonly<Record<OrganisationType, readonly Role[]>> = {
  local_authority: ['team_manager'],
  police_force: ['cse_supervisor'],
  school: ['dsl', 'deputy_dsl'],
  health: ['named_safeguarding_professional'],
  oversight: [],
};

const RULE = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
const declared = new Map<string, DeadlineRuleDeclaration>();

export function declareDeadlineRules<T extends Record<string, DeadlineRuleDeclaration>>(rules: T): T {
  for (const [name, rule] of Object.entries(rules)) {
    if (!RULE.test(name) || name.length > 60)
      throw new Error(`Deadline rule ${name}: lower-case dotted words, 60 at most`);
    if (rule.escalateTo && Object.values(rule.escalateTo).some((roles) => roles?.includes('org_admin'))) {
      throw new Error(`Deadline rule ${name}: overdue work never goes to organisation administrators`);
    }
    const known = declared.get(name);
    if (known !== undefined && known !== rule) throw new Error(`Deadline rule ${name} is declared twice`);
    declared.set(name, rule);
  }
  return rules;
}

export function deadlineRule(name: string): DeadlineRuleDeclaration | undefined {
  return declared.get(name);
}

export function declaredDeadlineRules(): { rule: string; description: string }[] {
  return [...declared.entries()]
    .map(([rule, d]) => ({ rule, description: d.description }))
    .sort((a, b) => a.rule.localeCompare(b.rule));
}

/** The roles an overdue deadline of this rule goes up to, in an organisation of this kind. */
export function escalationAudience(rule: string, organisationType: OrganisationType): readonly Role[] {
  return deadlineRule(rule)?.escalateTo?.[organisationType] ?? CASE_MANAGERS[organisationType];
}
