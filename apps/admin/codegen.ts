import type { CodegenConfig } from '@graphql-codegen/cli';

// The console's operations live one per .graphql file under src/graphql; this turns them into typed
// documents (src/generated/graphql.ts) checked against the committed contract. Enums become string unions so
// no runtime enum objects ship to the browser.
const config: CodegenConfig = {
  schema: '../../packages/schema/schema.graphql',
  documents: ['src/graphql/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: {
          DateTimeISO: 'string',
          JSONObject: 'Record<string, unknown>',
        },
        strictScalars: true,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
