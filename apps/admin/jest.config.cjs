// Unit tests (src/**/*.test.ts: logic and composables, no DOM) and the end-to-end journey
// (e2e/*.e2e.test.ts: Debian's Chromium against the built server), both run by `npm test`.
module.exports = require('../../jest.config.base.cjs')(__dirname, {
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/e2e/**/*.e2e.test.ts'],
});
