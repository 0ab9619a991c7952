#!/usr/bin/env node
// Install-time fix for request-oauth 1.0.1, the OAuth 1.0a signer grant uses for the request-token,
// access-token and profile requests. It builds the URL to sign as protocol//host + path + ':' + port,
// so with any explicit port the signed base string URI is `http://host/path:8080` instead of
// `http://host:8080/path` (RFC 5849 section 3.4.1.2) and every such request is rejected. The fix signs
// scheme://host[:port]/path, leaving the scheme's default port out as the RFC requires.
//
// Idempotent; prints what it did. It never fails an install: if the file is not the known shape, the
// router's runtime self-check (flows/request-oauth-check.ts) reports it instead.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MARKER = '/* @connections/auth-flows: port before path (RFC 5849 3.4.1.2) */';
const BUGGY =
  /`\$\{options\.protocol\}\/\/\$\{options\.hostname\}\$\{options\.path\}`\s*\n?\s*\+ \(options\.port \? `:\$\{options\.port\}` : ''\)/;
const FIXED =
  '`${options.protocol}//${options.hostname}`\n' +
  "      + (options.port && String(options.port) !== (options.protocol === 'https:' ? '443' : '80') ? `:${options.port}` : '')\n" +
  '      + options.path ' +
  MARKER;

function patchSource(source) {
  if (source.includes(MARKER)) return { status: 'already-patched', source };
  if (!BUGGY.test(source)) return { status: 'unknown-shape', source };
  return { status: 'patched', source: source.replace(BUGGY, FIXED) };
}

function locate() {
  const grantDir = path.dirname(require.resolve('grant/package.json'));
  return require.resolve('request-oauth/oauth.js', { paths: [grantDir] });
}

function main() {
  let file;
  try {
    file = locate();
  } catch {
    console.log('[auth-flows] request-oauth not installed; nothing to patch');
    return;
  }
  const result = patchSource(fs.readFileSync(file, 'utf8'));
  if (result.status === 'patched') fs.writeFileSync(file, result.source);
  console.log(`[auth-flows] request-oauth port signing fix: ${result.status} (${file})`);
}

module.exports = { patchSource, locate, MARKER };
if (require.main === module) main();
