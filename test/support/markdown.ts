/**
 * Just enough Markdown for the documentation tests: which files are the documentation, their code
 * (fenced blocks and inline spans, where commands are written), the anchors GitHub gives their
 * headings, and their links. Not a general parser: it reads the files of this repository.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, whatever the working directory. */
export const ROOT = path.resolve(new URL('../../', import.meta.url).pathname);

/** README.md, CONTRIBUTING.md and every .md file under docs/, relative to the root. */
export function documentationFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const file = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return walk(file);
      return entry.name.endsWith('.md') ? [file] : [];
    });
  return ['README.md', 'CONTRIBUTING.md', ...walk('docs').sort()];
}

export function readDoc(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

const FENCE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;

/** The contents of the fenced code blocks. */
export function fencedBlocks(text: string): string[] {
  return [...text.matchAll(FENCE)].map((m) => m[0].split('\n').slice(1, -1).join('\n'));
}

/** The text with fenced code blocks blanked out (their lines kept empty, so nothing else moves). */
export function withoutFences(text: string): string {
  return text.replace(FENCE, (block) => block.replace(/[^\n]/g, ''));
}

/** The contents of inline code spans outside fenced blocks (`x`, or ``x with a ` inside``). */
export function inlineCode(text: string): string[] {
  return [...withoutFences(text).matchAll(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)].map((m) => m[2]!.trim());
}

/** Every piece of code in a document: each line of its fenced blocks, and each inline span. */
export function codeLines(text: string): string[] {
  return [...fencedBlocks(text).flatMap((block) => block.split('\n')), ...inlineCode(text)];
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** The anchors of a document's headings; a repeated heading gets `-1`, `-2`, ... as on GitHub. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = anchorOf(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** The targets of the inline links and images outside code: `[text](target)`, `![alt](target "title")`. */
export function linkTargets(text: string): string[] {
  // Link text may hold one level of brackets (![History of [784,10] softmax](...)) and code spans.
  const LINK = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  const prose = withoutFences(text).replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, 'code');
  return [...prose.matchAll(LINK)].map((m) => m[1]!);
}

/** A document's `## ` sections, by heading text (without the `## `), each with its body up to the next one. */
export function sections(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split('\n');
  const outside = withoutFences(text).split('\n');
  let heading: string | null = null;
  let body: string[] = [];
  const close = () => {
    if (heading !== null) result.set(heading, body.join('\n'));
  };
  lines.forEach((line, i) => {
    if (outside[i]!.startsWith('## ')) {
      close();
      heading = line.slice(3).trim();
      body = [];
    } else {
      body.push(line);
    }
  });
  close();
  return result;
}
