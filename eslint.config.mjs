// One flat config for the whole repository: typescript-eslint everywhere, eslint-plugin-vue for the console.
import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The API's layers, top to bottom (README, "Architecture"). A file may import its own layer and the layers
 * below it, never one above: the domain knows nothing of GraphQL, HTTP or the sandbox; the database, crypto,
 * network and bus know nothing of the domain. Tests and test support are exempt (they assemble everything).
 */
export const API_LAYERS = [
  { name: 'composition root', modules: ['main', 'server', 'compose', 'scripts'] },
  { name: 'adapters (GraphQL, HTTP, sandbox, cluster)', modules: ['graphql', 'http', 'sandbox', 'cluster'] },
  { name: 'domain', modules: ['domain'] },
  { name: 'infrastructure', modules: ['db', 'crypto', 'net', 'events', 'metrics'] },
  { name: 'base', modules: ['config', 'config-env', 'errors', 'logger', 'oauth-urls'] },
];

/** One no-restricted-imports block per layer: relative imports that reach a module of any layer above it. */
function apiLayerRules() {
  return API_LAYERS.slice(1).map((layer, i) => {
    const above = API_LAYERS.slice(0, i + 1);
    const modules = above.flatMap((l) => l.modules).join('|');
    return {
      files: layer.modules.flatMap((m) => [`apps/api/src/${m}.ts`, `apps/api/src/${m}/**/*.ts`]),
      ignores: ['**/*.test.ts', '**/test-support/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                // From src/x.ts the API's modules are ./m; from src/dir/**, ../m (or more ../).
                regex: `^(\\./|(\\.\\./)+)(${modules})(/.*)?$`,
                message: `The ${layer.name} layer must not import a layer above it (${above.map((l) => l.name).join(', ')}).`,
              },
            ],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/coverage/**',
      'data/**',
      '**/*.d.ts',
      '**/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Not enforced: with emitDecoratorMetadata a class used only in a decorated parameter's type is still
      // needed at run time (type-graphql reads it), which this rule cannot see.
      '@typescript-eslint/consistent-type-imports': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['apps/admin/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ...apiLayerRules(),
  {
    files: ['apps/api/src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          // On Node 20 and 22 the first AsyncLocalStorage.run turns async hooks on for the whole process for
          // good: every later promise pays for them (about 150 ns each; grant-transport.ts, issue 15).
          selector: "ImportSpecifier[imported.name='AsyncLocalStorage']",
          message:
            'AsyncLocalStorage slows every promise of the process once used: pass the value explicitly.',
        },
      ],
    },
  },
  {
    // Tests may reach into loosely typed GraphQL responses.
    files: ['**/*.test.ts', '**/test-support/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
