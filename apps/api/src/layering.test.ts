import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The dependency rule lives in the root ESLint config (`API_LAYERS`); these tests keep it honest: every module
// of the API belongs to a layer, and ESLint refuses an import that points up while allowing one that points down.
const root = path.resolve(__dirname, '../../..');

interface Layer {
  name: string;
  modules: string[];
}

/** Runs a small ESM script beside the repository (ESLint and its config are ES modules) and parses its JSON. */
function runModule<T>(source: string): T {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', source], { cwd: root });
  return JSON.parse(out.toString()) as T;
}

const layers = runModule<Layer[]>(
  `const { API_LAYERS } = await import('./eslint.config.mjs'); console.log(JSON.stringify(API_LAYERS));`,
);

test('every module of apps/api/src belongs to a layer', () => {
  const named = new Set(layers.flatMap((l) => l.modules));
  const modules = fs
    .readdirSync(path.join(root, 'apps/api/src'), { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')))
    .map((e) => e.name.replace(/\.ts$/, ''))
    .filter((m) => m !== 'test-support');
  expect(modules.filter((m) => !named.has(m))).toEqual([]);
});

test('lint refuses an import from a lower layer into a higher one, and allows the reverse', () => {
  // One probe per pair of adjacent layers, both ways: [file that imports, module it imports].
  const probes: { file: string; imports: string; refused: boolean }[] = [];
  for (let i = 0; i + 1 < layers.length; i++) {
    const upper = layers[i]!.modules[0]!;
    const lower = layers[i + 1]!.modules[0]!;
    probes.push({ file: `apps/api/src/${lower}/probe.ts`, imports: `../${upper}/x`, refused: true });
    probes.push({ file: `apps/api/src/${upper}/probe.ts`, imports: `../${lower}/x`, refused: false });
  }
  const results = runModule<{ file: string; imports: string; refused: boolean }[]>(`
    const { ESLint } = await import('eslint');
    const eslint = new ESLint();
    const probes = ${JSON.stringify(probes)};
    const out = [];
    for (const p of probes) {
      const [r] = await eslint.lintText("export * from '" + p.imports + "';\\n", { filePath: p.file });
      out.push({ ...p, refused: r.messages.some((m) => m.ruleId === 'no-restricted-imports') });
    }
    console.log(JSON.stringify(out));
  `);
  expect(results).toEqual(probes);
});
