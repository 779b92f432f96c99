/** Unit tests sit next to the code (*.spec.ts); e2e tests in test/ run the real app on a real PostgreSQL. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  // NestJS 12 ships ESM, and so does content-disposition 3 (of @fastify/static, for Swagger UI):
  // let swc turn them into CommonJS for Jest.
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/|(?:.*/node_modules/)?content-disposition/)'],
  moduleNameMapper: { '^@app/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
};
module.exports = {
  // A per-project testTimeout is ignored by Jest: it belongs here.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // test/architecture and test/docs.spec.ts: checks over the source tree and the docs (no database).
      testMatch: [
        '<rootDir>/{apps,libs}/**/*.spec.ts',
        '<rootDir>/test/architecture/**/*.spec.ts',
        '<rootDir>/test/docs.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
