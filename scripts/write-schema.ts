// `npm run schema:write`: regenerates the committed schema files from src/experiment/schema.ts.
// A test fails while they are stale (test/unit/experiment/schema.test.ts), so run this after changing the schema.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaReference, schemaText } from '../src/experiment/reference.ts';

for (const [name, text] of [
  ['experiment.schema.json', schemaText()],
  ['reference.md', schemaReference()],
] as const) {
  const file = fileURLToPath(new URL(`../schema/${name}`, import.meta.url));
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
}
