// Runs a compiled entry point from dist/ with the @app/* path aliases resolved to dist/libs/*/src.
'use strict';
const path = require('node:path');
const root = path.resolve(__dirname, '..');
require('tsconfig-paths').register({ baseUrl: path.join(root, 'dist'), paths: { '@app/*': ['libs/*/src'] } });
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run.js <path under dist/>');
  process.exit(2);
}
process.argv.splice(2, 1);
require(path.join(root, 'dist', entry));
