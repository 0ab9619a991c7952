// oauth4webapi ships ESM only. Node 20 can require() it, but Jest's module registry cannot, so Jest
// compiles it like our own sources. Hosts that run this package's source under Jest need the same line.
module.exports = require('../../jest.config.base.cjs')(__dirname, {
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
});
