// Makes `npm start` and `npm test` work on a fresh clone: installs the locked dependencies when
// node_modules is missing or older than package-lock.json.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  console.log('Installing dependencies (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
  // Some dependencies declare "node >= 22" in their engines field yet run (and are tested) on the
  // Node 20 this project supports: those EBADENGINE notices are dropped; everything else is shown.
  const shown = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((line) => !line.includes('EBADENGINE'))
    .join('\n')
    .trim();
  if (shown) console.log(shown);
  if (result.status !== 0) process.exit(result.status ?? 1);
}
