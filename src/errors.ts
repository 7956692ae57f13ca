/**
 * The one user-facing error type of mlp-lab.
 *
 * A `Problem` is plain data: what went wrong (`code`, a short stable string that tests and scripts
 * match on), where (`file`, 1-based `line` and `col`), and what to do (`hint`). A command that
 * finds problems throws one `UserError` carrying all of them; the CLI prints each as
 * `FILE:LINE:COL: error: MESSAGE` and exits with code 2. `Unavailable` carries problems of the
 * machine rather than of the input (a server that does not answer): printed the same way, exit 1.
 * Anything else that is thrown is a bug.
 */

/**
 * Every problem code mlp-lab reports. Scripts and editors match on them (as on eemeli/yaml's
 * ErrorCode), so they are part of the interface: a new one is added here, none is renamed.
 */
export const PROBLEM_CODES = [
  'activation-count',
  'bad-column',
  'bad-data-file',
  'bad-layer',
  'bad-merge',
  'bad-queue-url',
  'bad-results-table',
  'bad-schedule',
  'bad-set',
  'bad-split',
  'bad-value',
  'charts-same',
  'charts-unknown',
  'compare-baseline',
  'compare-by',
  'compare-unknown',
  'conflicting-keys',
  'data-file',
  'disk-full',
  'dropout-count',
  'duplicate-id',
  'duplicate-key',
  'duplicate-name',
  'duplicate-run',
  'duplicate-value',
  'empty-file',
  'exclude-unused',
  'file-not-found',
  'file-too-large',
  'grid-conflict',
  'layer-mismatch',
  'missing-key',
  'no-git',
  'no-results',
  'no-runs',
  'no-validation-set',
  'not-a-file',
  'not-a-mapping',
  'not-a-repository',
  'not-utf8',
  'out-not-writable',
  'out-of-range',
  'queue-unreachable',
  'results-folders',
  'results-in-use',
  'schema',
  'search-batch-unused',
  'search-capped',
  'search-conflict',
  'search-kinds',
  'search-pruner-range',
  'search-range',
  'search-unused',
  'set-collapses',
  'softmax-position',
  'store-layout',
  'table-unknown',
  'too-deep',
  'too-few-items',
  'too-large',
  'too-many-items',
  'too-many-runs',
  'unknown-column',
  'unknown-key',
  'unknown-kind',
  'unknown-parameter',
  'unknown-revision',
  'unknown-run',
  'unknown-variant',
  'unplanned-runs',
  'unreadable',
  'unseen-category',
  'unused-key',
  'wrong-type',
  'yaml-aliases',
  'yaml-syntax',
  'yaml-tab',
  'zip-length',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Short, stable, kebab-case: `yaml-syntax`, `unknown-key`, `layer-mismatch`, ... */
  readonly code: ProblemCode;
  readonly severity: Severity;
  /** The file the problem is in, as the user named it; `--set` for a command-line override; null when none applies. */
  readonly file: string | null;
  /** 1-based; null when the problem concerns no particular place (a missing file, a `--set`). */
  readonly line: number | null;
  readonly col: number | null;
  /** One sentence in the user's terms, without the location. */
  readonly message: string;
  /** What to do about it, when there is something useful to say. */
  readonly hint?: string | undefined;
  /** The source line and the length of the marked span, to print a `^^^` pointer under it. */
  readonly excerpt?: { readonly text: string; readonly length: number } | undefined;
}

/** Thrown for invalid input: one or more problems, all errors found in one pass. */
export class UserError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[]) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    super(list.map((p) => formatProblem(p)).join('\n'));
    this.name = 'UserError';
    this.problems = list;
  }

  /** The code of the first problem: handy in tests and for a single problem. */
  get code(): string {
    return this.problems[0]?.code ?? 'unknown';
  }
}

/** A problem with no position: `problem('file-not-found', 'no such file', { file })`. */
export function problem(
  code: ProblemCode,
  message: string,
  where: { file?: string | null; line?: number | null; col?: number | null; hint?: string; severity?: Severity } = {},
): Problem {
  return {
    code,
    severity: where.severity ?? 'error',
    file: where.file ?? null,
    line: where.line ?? null,
    col: where.col ?? null,
    message,
    hint: where.hint,
  };
}

/**
 * `FILE:LINE:COL: error: MESSAGE` (parts without a value are left out), then, when known, the
 * source line with a `^^^` pointer and the hint, each indented on its own line.
 */
export function formatProblem(p: Problem, options: { excerpt?: boolean } = {}): string {
  const where = [p.file, p.line, p.line !== null ? p.col : null].filter((x) => x !== null && x !== undefined).join(':');
  let out = `${where ? `${where}: ` : ''}${p.severity}: ${p.message}`;
  if (options.excerpt !== false && p.excerpt && p.line !== null && p.col !== null) {
    const gutter = String(p.line).length;
    const { text, col } = excerptWindow(p.excerpt.text.replace(/\t/g, ' '), p.col);
    const marker = ' '.repeat(Math.max(0, col - 1)) + '^'.repeat(Math.max(1, Math.min(p.excerpt.length, text.length - col + 1, EXCERPT_WIDTH)));
    out += `\n ${p.line} | ${text}\n ${' '.repeat(gutter)} | ${marker}`;
  }
  if (p.hint) out += `\n  hint: ${p.hint}`;
  return out;
}

/** Widest source excerpt printed: a 40 KB line would bury the message. */
const EXCERPT_WIDTH = 100;

/** The part of a long line around column `col` (1-based), with `…` where it was cut, and the column within it. */
function excerptWindow(line: string, col: number): { text: string; col: number } {
  if (line.length <= EXCERPT_WIDTH) return { text: line, col };
  const start = Math.max(0, Math.min(col - 1 - 20, line.length - EXCERPT_WIDTH));
  const end = Math.min(line.length, start + EXCERPT_WIDTH);
  const before = start > 0 ? '…' : '';
  return { text: `${before}${line.slice(start, end)}${end < line.length ? '…' : ''}`, col: col - start + before.length };
}

/** Thrown when something the command needs is not there (a server down): printed as problems, exit 1, since the input is fine and a retry may work. */
export class Unavailable extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[]) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    super(list.map((p) => formatProblem(p)).join('\n'));
    this.name = 'Unavailable';
    this.problems = list;
  }
}
