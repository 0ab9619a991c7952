// Shared Jest settings: @swc/jest with legacy decorators and decorator metadata, which type-graphql
// and TypeORM need to infer types ("Unable to infer GraphQL type" without decoratorMetadata).
const path = require('node:path');

module.exports = function jestConfig(dir, overrides = {}) {
  return {
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)s$': [
        '@swc/jest',
        {
          jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    // ESM-only dependencies (oauth4webapi, jose) cannot be required by Jest's module registry on Node 20:
    // compile them like our own sources.
    transformIgnorePatterns: ['/node_modules/(?!(oauth4webapi|jose)/)'],
    // Workspace packages are tested from source so a stale dist never hides a change.
    moduleNameMapper: {
      '^@connections/(schema|auth-flows)$': path.join(__dirname, 'packages/$1/src/index.ts'),
      // Real protocol peers (oidc-provider, an OAuth 1.0a provider, a cookie-jar browser) for other packages' tests.
      '^@connections/auth-flows/test-support/(.*)$': path.join(
        __dirname,
        'packages/auth-flows/src/test-support/$1',
      ),
    },
    ...overrides,
  };
};
