// Lets a child process spawned by a test run the TypeScript sources directly (swc, as Jest does):
// `node -r ./test/support/ts-register.js some-script.ts`. @app/* resolves to libs/*/src.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
require('tsconfig-paths').register({ baseUrl: root, paths: { '@app/*': ['libs/*/src'] } });

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
