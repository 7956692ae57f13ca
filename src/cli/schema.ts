import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import { experimentJsonSchema, schemaReference } from '../experiment/index.ts';
import { EXIT_OK, runCommand } from './common.ts';

/** The committed schema files, beside the sources. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/experiment.schema.json', import.meta.url));
export const REFERENCE_FILE = fileURLToPath(new URL('../../schema/reference.md', import.meta.url));

/** The schema file's exact text. */
export function schemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}

/** `mlp-lab schema`: prints the experiment JSON Schema, or its Markdown reference, or rewrites both committed files. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of experiment files (for editors and scripts)')
    .option('--reference', 'print the key reference in Markdown instead')
    .option('--write', 'rewrite schema/experiment.schema.json and schema/reference.md in the mlp-lab sources')
    .addHelpText('after', '\nExamples:\n  $ mlp-lab schema > experiment.schema.json\n  $ mlp-lab schema --write      # after changing src/experiment/schema.ts')
    .action((options) => runCommand(() => {
      if (options.write) {
        writeFileSync(SCHEMA_FILE, schemaText());
        writeFileSync(REFERENCE_FILE, schemaReference());
        process.stdout.write(`wrote ${SCHEMA_FILE}\nwrote ${REFERENCE_FILE}\n`);
      } else {
        process.stdout.write(options.reference ? schemaReference() : schemaText());
      }
      return EXIT_OK;
    }));
}
