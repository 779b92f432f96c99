import { type ClassifiedSubject, FIELD_CLASSES, fieldsOf, SENSITIVITY_CLASSES } from './classification';
import { CLIENT_BASE, EVERY_ACTOR, POLICY, type RuleSpec, SCOPE_POLICY } from './policy';
import { ALL_ROLES, ROLES, SCOPES } from './roles';
import { TIPPING_OFF_RULES } from './tipping-off';

const ACTOR = /^\$\{actor\.(id|organisationId|teamId)\}$/;

/** Each condition the policy uses, in the words a safeguarding lead reviews it in. */
function conditionWords(key: string, value: unknown): string {
  const mine = typeof value === 'string' && ACTOR.test(value);
  const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v));
  const words: Record<string, () => string> = {
    restricted: () => (value === false ? 'the record is not restricted' : 'the record is restricted'),
    involvedOrganisationIds: () => 'your organisation works with the child',
    caseTeamUserIds: () => "you are on the child's case team",
    breakGlassUserIds: () => 'you hold a live break-glass grant on the child',
    triageTeamIds: () => 'your team received an open referral about the child',
    grantedClasses: () => `a live disclosure to your organisation names ${String(value)}`,
    childRestricted: () => (value === false ? 'the child is not restricted' : 'the child is restricted'),
    childInvolvedOrganisationIds: () => 'your organisation works with the child',
    childCaseTeamUserIds: () => "you are on the child's case team",
    childBreakGlassUserIds: () => 'you hold a live break-glass grant on the child',
    childHiddenFrom: () => 'it names a restricted child whose case team you are not on',
    organisationId: () => 'recorded by (or belonging to) your organisation',
    shareable: () => 'marked shareable by the agency that recorded it',
    multiAgency: () => 'recorded for the multi-agency chronology',
    confidential: () => (value === false ? 'not marked confidential' : 'marked confidential'),
    sensitivity: () =>
      typeof value === 'object' && value !== null && '$in' in value
        ? `of class ${list((value as { $in: unknown }).$in)}`
        : typeof value === 'object' && value !== null && '$nin' in value
          ? `of any class but ${list((value as { $nin: unknown }).$nin)}`
          : `of class ${String(value)}`,
    reporterId: () => 'you reported it',
    fromOrganisationId: () => 'sent by your organisation',
    toOrganisationId: () => 'sent to your organisation',
    partyOrganisationIds: () => 'your organisation is a party to it',
    createdByOrganisationId: () => 'made by your organisation',
    granteeOrganisationId: () => 'given to your organisation',
    grantorOrganisationId: () => 'given by your organisation',
    clientId: () => 'your own',
  };
  const say = words[key];
  if (say && (mine || !ACTOR.test(String(value)))) return say();
  return `${key} = ${JSON.stringify(value)}`;
}

/** The fields a rule names, as the sensitivity classes they make up where they do. */
function fieldWords(subjects: string[], fields: string[] | undefined): string {
  if (!fields) return 'all';
  const subject = subjects[0] as ClassifiedSubject;
  if (subjects.length === 1 && subject in FIELD_CLASSES) {
    const classed = FIELD_CLASSES[subject] as Record<string, string>;
    const classes = SENSITIVITY_CLASSES.filter((c) => fields.some((f) => classed[f] === c));
    if (!classes.length && [...fieldsOf(subject, [])].sort().join() === [...fields].sort().join()) {
      return 'ids and version only';
    }
    if (classes.length && [...fieldsOf(subject, classes)].sort().join() === [...fields].sort().join()) {
      return `classes: ${classes.join(', ')}`;
    }
  }
  return fields.join(', ');
}

function ruleRow(rule: RuleSpec): string {
  const actions = Array.isArray(rule.action) ? rule.action : [rule.action];
  const subjects = Array.isArray(rule.subject) ? rule.subject : [rule.subject];
  const when = rule.conditions
    ? Object.entries(rule.conditions)
        .map(([k, v]) => conditionWords(k, v))
        .join('; ')
    : 'always';
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return `| ${rule.inverted ? '**never** ' : ''}${actions.join(', ')} | ${subjects.join(', ')} | ${cell(when)} | ${cell(fieldWords(subjects, rule.fields))} | ${cell(rule.reason ?? '')} |`;
}

function table(rules: RuleSpec[]): string[] {
  return ['| may | what | when | fields | why |', '| --- | --- | --- | --- | --- |', ...rules.map(ruleRow)];
}

/**
 * The whole policy as a document for the people who review it (docs/policy.md): generated from
 * the policy itself, and checked in CI so that the document never says anything the code does not.
 */
export function renderPolicyDoc(): string {
  const out: string[] = [
    '# The access policy',
    '',
    '<!-- Generated from libs/access by `npm run policy:doc`; a test fails when it differs. Do not edit by hand. -->',
    '',
    'Who may do what, and why. Default deny: a role with no rule for something may not do it.',
    'Every route declares the permission it needs; lists are scoped in SQL from these same rules, and',
    'a record you may not see answers 404, exactly as one that does not exist.',
    '',
    '## Three ways of knowing a child',
    '',
    '- **Working with the child**: your organisation has an active involvement (it registered the child,',
    '  accepted a referral, holds a MASH enquiry, attends a strategy discussion or conference, is in a',
    "  plan's core group). You read your role's classes of the shared record, your own section and",
    "  entries, other agencies' shareable entries of your classes, and the multi-agency chronology",
    '  (summaries of the safeguarding events every agency working with the child recorded for it).',
    '- **Granted**: a live disclosure to your organisation. Read-only, exactly the classes it names, of',
    "  the discloser's data only; nothing of your role's general rules; it ends when the last grant",
    '  covering it ends or is revoked (computed from the grants: nothing stored outlives them).',
    '- **Triage**: your team received an open referral about the child. You read who the child is',
    '  (identity), until your team decides.',
    '',
    'Besides these: the case team of a restricted child (only it learns anything of the child), and',
    'break-glass (an emergency outside need-to-know, with a stated reason, audited, the lead agency told).',
    '',
    '## Sensitivity classes',
    '',
    'Every field of child data carries a class; rules grant classes, not hand-picked fields.',
    '',
    '| subject | class | fields |',
    '| --- | --- | --- |',
  ];
  for (const [subject, fields] of Object.entries(FIELD_CLASSES)) {
    const byClass = new Map<string, string[]>();
    for (const [field, cls] of Object.entries(fields)) byClass.set(cls, [...(byClass.get(cls) ?? []), field]);
    for (const [cls, list] of byClass) out.push(`| ${subject} | ${cls} | ${list.join(', ')} |`);
  }
  out.push('', '## No tipping off', '');
  for (const r of TIPPING_OFF_RULES) out.push(`- ${r.rule} *Why:* ${r.why}.`);
  out.push(
    '',
    '## For every actor',
    '',
    'After its own rules, whatever its roles or scopes:',
    '',
    ...table(EVERY_ACTOR),
  );
  out.push('', '## Roles', '');
  for (const role of ALL_ROLES) {
    out.push(`### ${role}`, '', `Held in: ${ROLES[role].join(', ')}.`, '', ...table(POLICY[role]), '');
  }
  out.push('## Partner systems (API clients)', '', 'Every client, whatever its scopes:', '', ...table(CLIENT_BASE), '');
  for (const scope of SCOPES) {
    for (const [type, rules] of Object.entries(SCOPE_POLICY[scope])) {
      out.push(`### \`${scope}\` for a ${type.replace(/_/g, ' ')}`, '', ...table(rules ?? []), '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
