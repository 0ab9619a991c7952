#!/usr/bin/env node
// Bundles the catalog's logos at build time: only the simple-icons icons that src/catalog/logos.json names,
// as src/catalog/generated/logos.json (title, brand colour, SVG path). simple-icons is a pinned dev
// dependency: nothing of it is loaded at run time and nothing is fetched from the internet.
// `--check` exits 1 when the committed bundle differs from what this would write (the catalog test runs it).
import fs from 'node:fs';
import path from 'node:path';
import * as simpleIcons from 'simple-icons';

const root = path.resolve(import.meta.dirname, '..');
const refsFile = path.join(root, 'src/catalog/logos.json');
const outFile = path.join(root, 'src/catalog/generated/logos.json');
// An SVG path is commands and numbers only; anything else would be markup smuggled into the served SVG.
const PATH_DATA = /^[MmZzLlHhVvCcSsQqTtAaEe0-9.,\s+-]+$/;

const icons = new Map(Object.values(simpleIcons).map((icon) => [icon.slug, icon]));
const refs = JSON.parse(fs.readFileSync(refsFile, 'utf8'));
const bundle = {};
const problems = [];
for (const slug of [...new Set(Object.values(refs))].sort()) {
  const icon = icons.get(slug);
  if (!icon) problems.push(`simple-icons has no icon "${slug}"`);
  else if (!PATH_DATA.test(icon.path) || !/^[0-9A-F]{6}$/i.test(icon.hex))
    problems.push(`icon "${slug}" has unexpected path or colour data`);
  else bundle[slug] = { title: icon.title, hex: icon.hex.toUpperCase(), path: icon.path };
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
const text = `${JSON.stringify(bundle, null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  if (current !== text) {
    console.error(
      'src/catalog/generated/logos.json is out of date: run `npm run build -w @connections/auth-flows`',
    );
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  if (!fs.existsSync(outFile) || fs.readFileSync(outFile, 'utf8') !== text) fs.writeFileSync(outFile, text);
}
console.log(`${Object.keys(bundle).length} logos for ${Object.keys(refs).length} catalog entries`);
