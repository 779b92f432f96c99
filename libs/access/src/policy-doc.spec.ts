import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_BASE, EVERY_ACTOR, POLICY, SCOPE_POLICY } from './policy';
import { renderPolicyDoc } from './policy-doc';

describe('the policy as a document', () => {
  it('says why for every rule', () => {
    const rules = [
      ...Object.values(POLICY).flat(),
      ...CLIENT_BASE,
      ...EVERY_ACTOR,
      ...Object.values(SCOPE_POLICY).flatMap((byType) => Object.values(byType).flat()),
    ];
    expect(rules.filter((r) => !r.reason?.trim())).toEqual([]);
  });

  it('is docs/policy.md exactly (run `npm run policy:doc` and review the diff as a permission change)', () => {
    const committed = readFileSync(join(__dirname, '../../../docs/policy.md'), 'utf8');
    expect(committed).toBe(renderPolicyDoc());
  });
});
