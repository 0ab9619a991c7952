import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildApiSchema, printApiSchema } from '../graphql/schema';

// Writes the contract that clients build against; a test fails when it differs from what the API builds.
async function main() {
  const file = path.resolve(__dirname, '../../../../packages/schema/schema.graphql');
  fs.writeFileSync(file, printApiSchema(await buildApiSchema()));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

void main();
