// `npm run lint:openapi` (part of `npm run lint`): builds the OpenAPI document from the code, as
// `npm run openapi` does, and lints it with Redocly's recommended rules (redocly.yaml) and
// Spectral's OpenAPI and OWASP API Security Top 10 rules (.spectral.yaml). Any warning fails.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
const run = (args, env = {}) =>
  execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

// Under dist/ (built, not committed) and named openapi.json: .spectral.yaml's overrides address its
// paths as **/openapi.json#/paths/..., relative to the ruleset.
const doc = path.join(root, 'dist', 'openapi.json');
try {
  run([bin('typescript', 'bin/tsc'), '-p', 'tsconfig.build.json']);
  run([path.join(root, 'scripts/run.js'), 'apps/api/src/cli/openapi.js', '--out', doc]);
  // No telemetry: the linters run offline, in CI as on a laptop.
  run([bin('@redocly/cli', 'bin/cli.js'), 'lint', doc, '--config', 'redocly.yaml'], { REDOCLY_TELEMETRY: 'off' });
  run([
    bin('@stoplight/spectral-cli', 'dist/index.js'),
    'lint',
    doc,
    '--ruleset',
    '.spectral.yaml',
    '--fail-severity',
    'warn',
  ]);
} catch (err) {
  process.exitCode = typeof err.status === 'number' ? err.status : 1;
} finally {
  rmSync(doc, { force: true });
}
