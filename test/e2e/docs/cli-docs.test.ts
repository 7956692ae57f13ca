/**
 * The documentation and the program agree on the command line. `--help` is the reference, and
 * docs/cli.md has a section per command that must name every long option of that command: a
 * command or option added without documentation fails here, and so does documentation of a
 * command or option that no longer exists, wherever the docs write `mlp-lab COMMAND ...` in code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, codeLines, documentationFiles, readDoc, sections } from '../../support/markdown.ts';

/** `mlp-lab ARGS`, from the sources (vitest sets MLP_LAB_FROM_SOURCE=1). */
function help(...args: string[]): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/mlp-lab.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(result.status, `mlp-lab ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The lines of a help section (`Options:`, `Commands:`) that start an entry: two spaces, then the entry. */
function entries(helpText: string, section: string): string[] {
  const lines = helpText.split('\n');
  const start = lines.indexOf(`${section}:`);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => /^ {2}\S/.test(line));
}

/** The long options of a help text (`--jobs`, `--no-charts`), from the option column only. */
function longOptions(helpText: string): string[] {
  return entries(helpText, 'Options').flatMap((line) =>
    [
      ...line
        .trim()
        .split(/\s{2,}/)[0]!
        .matchAll(/--[a-z][\w-]*/g),
    ].map((m) => m[0]),
  );
}

/** `--opt` as a whole token: `--out` is not in `--output`, nor `--set` in `--settings`. */
const mentions = (text: string, option: string) => new RegExp(`(?<![\\w-])${option}(?![\\w-])`).test(text);

/** Commander's own `help [command]` is a command with nothing to document but itself. */
const BUILT_IN = 'help';

/**
 * The `mlp-lab COMMAND ...` invocations in a line of code, with the options each gives: a shell
 * line (`$ ` prompt and `#` comment dropped, split at `&&`, `|` and `;`) whose part starts with
 * `mlp-lab` or `npx mlp-lab`. Output and prose in code blocks (`mlp-lab and Node versions`) are not commands.
 */
function commandLines(code: string): { command: string; options: string[] }[] {
  const line = code.replace(/\s#\s.*$/, '').replace(/^\s*\$\s+/, '');
  return line.split(/&&|\|\|?|;/).flatMap((part) => {
    const m = /^(?:npx\s+)?mlp-lab\s+([a-z][\w-]*)(.*)$/.exec(part.trim());
    return m ? [{ command: m[1]!, options: [...m[2]!.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((o) => o[0]) }] : [];
  });
}

const SECTION = /^`mlp-lab ([a-z][\w-]*)`$/;

describe('the command line in the documentation', () => {
  let commands: string[];
  let programOptions: string[];
  const optionsOf = new Map<string, string[]>();
  const cliSections = sections(readDoc('docs/cli.md'));
  const docs = documentationFiles().map((file) => ({ file, text: readDoc(file) }));
  const allText = docs.map((d) => d.text).join('\n');

  beforeAll(() => {
    const top = help('--help');
    // `ls|status`: a command with an alias is documented under its name.
    commands = entries(top, 'Commands').map((line) => line.trim().split(/\s/)[0]!.split('|')[0]!);
    programOptions = longOptions(top);
    for (const command of commands.filter((c) => c !== BUILT_IN)) optionsOf.set(command, longOptions(help(command, '--help')));
  }, 120_000);

  it('reads the commands and their options from --help (a parser that found none would pass vacuously)', () => {
    expect(commands).toEqual(expect.arrayContaining(['validate', 'plan', 'run', 'report', BUILT_IN]));
    expect(programOptions).toEqual(expect.arrayContaining(['--help', '--version']));
    expect(optionsOf.get('run')).toEqual(expect.arrayContaining(['--jobs', '--no-charts', '--queue']));
    expect(commandLines('$ npm ci && npx mlp-lab run a.yaml --force --set x=1 | head   # not --this')).toEqual([
      { command: 'run', options: ['--force', '--set'] },
    ]);
    expect(commandLines('metrics.json   final metrics, mlp-lab and Node versions')).toEqual([]);
  });

  it("documents the program's own options and every command in docs/cli.md", () => {
    const cli = readDoc('docs/cli.md');
    expect(programOptions.filter((option) => !mentions(cli, option))).toEqual([]);
    expect(commands.filter((c) => !cli.includes(`mlp-lab ${c}`))).toEqual([]);
  });

  it('gives every command but help a section of docs/cli.md that names each of its long options', () => {
    const documented = new Map(
      [...cliSections].flatMap(([heading, body]) => {
        const command = SECTION.exec(heading)?.[1];
        return command ? [[command, body] as const] : [];
      }),
    );
    const missing = [...optionsOf].flatMap(([command, options]) => {
      const body = documented.get(command);
      if (body === undefined) return [`${command}: no section \`mlp-lab ${command}\` in docs/cli.md`];
      // --help is on every command; docs/cli.md says so once, for all of them.
      return options.filter((o) => o !== '--help' && !mentions(body, o)).map((o) => `${command} ${o}`);
    });
    expect(missing, 'document these in docs/cli.md (and the guide page where they belong)').toEqual([]);
  });

  it('has no section of docs/cli.md for a command, or an option of it, that does not exist', () => {
    const stale = [...cliSections].flatMap(([heading, body]) => {
      const command = SECTION.exec(heading)?.[1];
      if (!command) return [`a section "${heading}" that names no command`];
      const options = optionsOf.get(command);
      if (!options) return [`mlp-lab ${command}: no such command`];
      const named = new Set([...body.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]));
      return [...named].filter((o) => !options.includes(o)).map((o) => `mlp-lab ${command} ${o}: no such option`);
    });
    expect(stale).toEqual([]);
  });

  it('lists every command in the README, one line each', () => {
    const list = sections(readDoc('README.md')).get('Commands') ?? '';
    expect(commands.filter((c) => c !== BUILT_IN && !list.includes(`\`mlp-lab ${c}`))).toEqual([]);
  });

  it('names, wherever the docs write `mlp-lab COMMAND ...` in code, a command that exists with options it has', () => {
    const wrong = docs.flatMap(({ file, text }) =>
      codeLines(text).flatMap((code) =>
        commandLines(code).flatMap(({ command, options }) => {
          if (!commands.includes(command)) return [`${file}: mlp-lab ${command}: no such command (in \`${code.trim()}\`)`];
          const known = [...(optionsOf.get(command) ?? []), ...programOptions];
          return options.filter((o) => !known.includes(o)).map((o) => `${file}: mlp-lab ${command} ${o}: no such option (in \`${code.trim()}\`)`);
        }),
      ),
    );
    expect(wrong).toEqual([]);
    expect(allText).toContain('mlp-lab run');
  });
});
