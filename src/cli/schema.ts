import type { Command } from '@commander-js/extra-typings';
import { schemaReference } from '../experiment/index.ts';
import { schemaText } from '../experiment/reference.ts';
import { EXIT_OK, runCommand } from './common.ts';

/** `mlp-lab schema`: prints the experiment JSON Schema, or its Markdown reference. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of experiment files (for editors and scripts)')
    .option('--reference', 'print the key reference in Markdown instead')
    .addHelpText('after', '\nExamples:\n  $ mlp-lab schema > experiment.schema.json\n  $ mlp-lab schema --reference | less')
    .action((options) =>
      runCommand(() => {
        process.stdout.write(options.reference ? schemaReference() : schemaText());
        return EXIT_OK;
      }),
    );
}
