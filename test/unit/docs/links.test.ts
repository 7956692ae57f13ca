/**
 * Every relative link of the documentation (README.md, CONTRIBUTING.md, docs/) points to a file
 * or folder that exists, and a `#anchor` into a Markdown file to one of its headings: moving a
 * page or renaming a section breaks no link silently.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, anchors, documentationFiles, linkTargets, readDoc } from '../../support/markdown.ts';

/** Why `target`, linked from `file`, leads nowhere; null when it is fine or not a relative link. */
function brokenLink(file: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto: ...: not ours to check
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  const resolved = pathPart === '' ? file : path.posix.join(path.posix.dirname(file), decodeURIComponent(pathPart));
  if (resolved.startsWith('..')) return `${target}: outside the repository`;
  if (!existsSync(path.join(ROOT, resolved))) return `${target}: no such file ${resolved}`;
  if (anchor !== undefined && resolved.endsWith('.md') && !anchors(readDoc(resolved)).has(anchor)) {
    return `${target}: ${resolved} has no heading with the anchor #${anchor}`;
  }
  return null;
}

describe('links in the documentation', () => {
  const files = documentationFiles();

  it('covers the README, CONTRIBUTING.md and the docs/ pages', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('CONTRIBUTING.md');
    expect(files).toContain('docs/architecture.md');
  });

  it.each(files)('%s: every relative link points to an existing file and heading', (file) => {
    const targets = linkTargets(readDoc(file));
    const broken = targets.map((target) => brokenLink(file, target)).filter((reason) => reason !== null);
    expect(broken).toEqual([]);
  });

  it('finds the links it checks (a reader that sees none would pass vacuously)', () => {
    const readme = linkTargets(readDoc('README.md'));
    expect(readme).toContain('docs/architecture.md');
    // Image links whose alt text holds brackets, and links whose text is code.
    expect(readme).toContain('results/report/charts/runs/f7bbc75dc4e1-history.png');
    expect(readme).toContain('results/report/results.md');
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toMatch(/no such file/);
    expect(brokenLink('docs/running.md', 'reliability.md#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink('docs/running.md', 'reliability.md#checkpoint-settings')).toBeNull();
  });
});
