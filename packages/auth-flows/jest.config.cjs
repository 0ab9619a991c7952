// The shared config already compiles the ESM-only oauth4webapi for Jest.
module.exports = require('../../jest.config.base.cjs')(__dirname, {
  // Integration tests start real servers and a child process; a loaded 2-core CI box needs slack.
  testTimeout: 30_000,
});
