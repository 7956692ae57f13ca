import { readFileSync, statSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import { problem, UserError, type Problem, type ProblemCode, type Severity } from '../errors.ts';
import { formatBytes } from './format-bytes.ts';

/**
 * Stage 1, load: an experiment file read as UTF-8 and parsed as YAML with every node's position,
 * so that later stages can point at the key or value a problem is about.
 */
export interface Source {
  /** As the user named it: the prefix of every message. */
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** YAML warnings (e.g. an unknown tag); they do not stop anything. */
  readonly warnings: readonly Problem[];
}

/** A path into the document: map keys and sequence indices, like ajv's instance path. */
export type NodePath = readonly (string | number)[];

/** Experiment files are small; anything over this is a mistake (a data file named by accident). */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads and parses `file`. Throws a UserError for a missing or unreadable file, one over
 * MAX_FILE_BYTES, bytes that are not UTF-8, an empty file, YAML syntax errors (all of them) or a
 * document that is not a mapping.
 */
export function readSource(file: string): Source {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new UserError(problem('not-a-file', `${file} is not a file`, { file }));
    size = stat.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(problem('file-not-found', 'no such file', { file }));
    throw new UserError(problem('unreadable', `cannot read the file (${code ?? String(error)})`, { file }));
  }
  if (size > MAX_FILE_BYTES) {
    throw new UserError(
      problem('file-too-large', `the file is ${formatBytes(size)}; an experiment file is at most ${formatBytes(MAX_FILE_BYTES)}`, {
        file,
        line: 1,
        col: 1,
        hint: 'is this the right file? experiment files are a few dozen lines of YAML',
      }),
    );
  }
  const bytes = readFileSync(file);
  const text = decodeUtf8(file, bytes);
  if (text.trim() === '')
    throw new UserError(
      problem('empty-file', 'the file is empty', { file, line: 1, col: 1, hint: 'an experiment needs at least `name:` and a model (`layers:`)' }),
    );

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2', merge: true, logLevel: 'error' });
  const at = (error: YAMLError, severity: Severity): Problem => {
    // Some errors start at the beginning of the line: point at its first non-blank character instead.
    let offset = error.pos[0];
    while (text[offset] === ' ' && offset < text.length) offset++;
    if (text[offset] === '\n' || offset >= text.length) offset = error.pos[0];
    const overIndented = overIndentedLine(error, text);
    if (overIndented !== null) offset = overIndented;
    const { line, col } = lineCounter.linePos(offset);
    const { code, message }: { code: ProblemCode; message: string } =
      overIndented !== null
        ? { code: 'yaml-syntax', message: 'this line is indented deeper than the key above it, which already has its value (align it with that key)' }
        : yamlMessage(error, text);
    return withExcerpt({ code, severity, file, line, col, message }, text, lineCounter, offset, Math.max(1, error.pos[1] - offset));
  };
  if (doc.errors.length > 0) {
    // One mistake can raise several errors at one place (an over-indented key raises two): report it once.
    // Once the parser has left the document ("unexpected ... token in YAML stream"), every later
    // token is unexpected too: the first of those says all there is to say.
    const errors = doc.errors.filter((e, i) => !/in YAML stream/.test(e.message) || doc.errors.findIndex((f) => /in YAML stream/.test(f.message)) === i);
    const problems = errors.map((e) => at(e, 'error'));
    throw new UserError(problems.filter((p, i) => problems.findIndex((q) => q.line === p.line && q.col === p.col) === i));
  }
  const source: Source = { file, text, doc, lineCounter, warnings: doc.warnings.map((w) => at(w, 'warning')) };
  if (doc.contents === null) throw new UserError(problem('empty-file', 'the file has no content, only comments', { file, line: 1, col: 1 }));
  if (!isMap(doc.contents)) {
    const kind = isSeq(doc.contents) ? 'a list' : 'a single value';
    throw new UserError(problemAt(source, [], 'not-a-mapping', `the file must be a mapping of keys (name:, dataset:, defaults: ...) but it is ${kind}`));
  }
  return source;
}

/** The node at `path` (or the deepest one that exists), resolving aliases. */
export function findNode(source: Source, path: NodePath, target: 'key' | 'value' = 'value'): Node | null {
  let node: unknown = source.doc.contents;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(source.doc);
    const segment = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return node as Node;
      const last = i === path.length - 1;
      const value = pair.value as Node | null;
      // `key:` with no value has an empty scalar: point at the key instead.
      const empty = value === null || (isScalar(value) && value.range !== undefined && value.range !== null && value.range[0] === value.range[1]);
      if ((last && target === 'key') || empty) return pair.key as Node;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
    } else {
      return node as Node;
    }
  }
  return node as Node;
}

/** A problem located at the node for `path`: its key when `key` is set (unknown keys), else its value. */
export function problemAt(
  source: Source,
  path: NodePath,
  code: ProblemCode,
  message: string,
  options: { key?: boolean; hint?: string | undefined; severity?: Severity } = {},
): Problem {
  return problemAtNode(source, findNode(source, path, options.key ? 'key' : 'value'), code, message, options);
}

/** A problem located at a node of the document (its start, marked to its end). */
export function problemAtNode(
  source: Source,
  node: Node | null,
  code: ProblemCode,
  message: string,
  options: { hint?: string | undefined; severity?: Severity } = {},
): Problem {
  const start = node?.range?.[0] ?? 0;
  const end = node?.range?.[1] ?? start + 1;
  const { line, col } = source.lineCounter.linePos(start);
  const base: Problem = { code, severity: options.severity ?? 'error', file: source.file, line, col, message, hint: options.hint };
  return withExcerpt(base, source.text, source.lineCounter, start, end - start);
}

function withExcerpt(p: Problem, text: string, lineCounter: LineCounter, offset: number, length: number): Problem {
  const { line } = lineCounter.linePos(offset);
  const lineStart = lineCounter.lineStarts[line - 1] ?? 0;
  const lineEnd = text.indexOf('\n', lineStart);
  const lineText = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, '');
  return { ...p, excerpt: { text: lineText, length: Math.max(1, Math.min(length, lineText.length - (offset - lineStart))) } };
}

/**
 * A key indented deeper than the key above it (`epochs: 3` then `    batch_size: 3`) makes the yaml
 * library complain about the line above (its value would become an implicit key). The mistake is
 * on the deeper line: the offset of its first character, or null for other errors.
 */
function overIndentedLine(error: YAMLError, text: string): number | null {
  if (error.code !== 'BLOCK_AS_IMPLICIT_KEY' && error.code !== 'MULTILINE_IMPLICIT_KEY') return null;
  const lineEnd = text.indexOf('\n', error.pos[0]);
  if (lineEnd < 0) return null;
  // `a: b: c` is a mistake on its own line; only a value that ends its line is blamed on the next.
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' && /:\s/.test(text.slice(error.pos[1], lineEnd))) return null;
  if (error.code === 'MULTILINE_IMPLICIT_KEY' && error.pos[1] <= lineEnd) return null;
  let offset = lineEnd + 1;
  while (text[offset] === ' ' || text[offset] === '\r') offset++;
  return offset < text.length ? offset : null;
}

function yamlMessage(error: YAMLError, text: string): { code: ProblemCode; message: string } {
  const token = /^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0].trim() ?? '';
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return { code: 'duplicate-key', message: `duplicate key \`${token}\`: each key may appear once in a mapping` };
    case 'TAB_AS_INDENT':
      return { code: 'yaml-tab', message: 'a tab is used for indentation; YAML indents with spaces' };
    case 'MULTIPLE_DOCS':
      return { code: 'yaml-syntax', message: 'the file holds more than one YAML document (a second `---`); an experiment is one document' };
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: a BAD_INDENT other than an unclosed flow is reported as the cases below report theirs
    case 'BAD_INDENT':
      if (/end with a [\]}]/.test(error.message)) {
        const [open, close] = error.message.includes(']') ? ['[', ']'] : ['{', '}'];
        return {
          code: 'yaml-syntax',
          message: `a flow ${open === '[' ? 'list' : 'mapping'} opened with \`${open}\` is not closed with \`${close}\` before this line`,
        };
      }
    // falls through
    case 'MISSING_CHAR':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return { code: 'yaml-syntax', message: `${lowerFirst(error.message)} (check the indentation of this line and the one above)` };
    default:
      // The parser recurses per nesting level and reports an exhausted stack as an error of its own.
      if (/call stack/i.test(error.message)) return { code: 'too-deep', message: 'the file nests lists and mappings too deeply to read' };
      return { code: 'yaml-syntax', message: lowerFirst(error.message).replace(/"([^"]{40})[^"]+"/g, '"$1…"') };
  }
}

/** Decodes UTF-8 (a leading BOM is dropped) or throws a `not-utf8` problem at the first bad byte. */
function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const col = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    throw new UserError(
      problem('not-utf8', `the file is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`, {
        file,
        line,
        col,
        hint: utf16 ? 'the file looks like UTF-16: save it as UTF-8' : 'save the file as UTF-8',
      }),
    );
  }
}

/**
 * The index of the first byte that starts no valid UTF-8 sequence, in one pass (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF). Decoding ever longer prefixes instead
 * took 44 s for a 400 KB line.
 */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
