import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPolicyDoc } from '@app/access';

/** `npm run policy:doc`: writes docs/policy.md from the policy (review the diff as a permission change). */
const file = join(__dirname, '../../../../../docs/policy.md');
writeFileSync(file, renderPolicyDoc());
console.log('Wrote docs/policy.md');
