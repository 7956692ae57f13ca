import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ResultRow } from '../tables/result-row.ts';
import { formatScalar, type Table } from '../tables/tables.ts';
import { escapeHtml } from './html.ts';

/** A results table (results.md's) as HTML; numbers right-aligned, the best values bold. */
export function tableHtml(table: Table): string {
  const numeric = table.header.map((_, c) => c > 0 && table.rows.every((r) => /^[-+\d.±\s—()a-z/]*\d/.test(r.cells[c] ?? '')));
  const cls = (c: number) => (numeric[c] ? ' class="num"' : '');
  return [
    '<div class="table-wrap"><table class="results">',
    `<caption>${escapeHtml(table.caption)}</caption>`,
    `<thead><tr>${table.header.map((h, c) => `<th scope="col"${cls(c)}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...table.rows.map(
      (r) =>
        `<tr>${r.cells
          .map((cell, c) => {
            const text = escapeHtml(cell);
            return `<td${cls(c)}>${r.bold[c] ? `<strong>${text}</strong>` : text}</td>`;
          })
          .join('')}</tr>`,
    ),
    '</tbody></table></div>',
  ].join('\n');
}

const RUN_FILES = ['config.json', 'history.csv', 'metrics.json', 'weights.safetensors'] as const;

/**
 * Every run, as in results.csv: id, label, seed, status, test accuracy and cost, seconds, and
 * links to the files of its folder that exist (paths relative to the page). Each row carries
 * `data-run-id` and each accuracy `data-test-accuracy` with the unrounded value, so that a test
 * can compare the page with results.csv.
 */
export function runsTableHtml(rows: readonly ResultRow[], runDir: (row: ResultRow) => string, pageDir: string): string {
  const varying = [...new Set(rows.flatMap((r) => Object.keys(r.varying)))];
  // The label repeats the model or the varying values beside it; it is shown only when they are absent.
  const hasModel = rows.some((r) => r.model !== null);
  const showLabel = !hasModel && varying.length === 0;
  const head = [
    'run id',
    ...(showLabel ? ['label'] : []),
    ...(hasModel ? ['model'] : []),
    ...varying,
    'status',
    'test accuracy (%)',
    'test cost',
    'seconds',
    'files',
  ];
  const numeric = new Set(['seed', 'test accuracy (%)', 'test cost', 'seconds']);
  const body = rows.map((r) => {
    const o = r.outcome;
    const dir = runDir(r);
    const links = RUN_FILES.filter((f) => existsSync(path.join(dir, f))).map(
      (f) => `<a href="${escapeHtml(path.relative(pageDir, path.join(dir, f)).split(path.sep).join('/'))}">${f.replace(/\..*$/, '')}</a>`,
    );
    const cells = [
      `<td><a href="#run-${r.runId}"><code>${r.runId}</code></a></td>`,
      ...(showLabel ? [`<td>${escapeHtml(r.label)}</td>`] : []),
      ...(hasModel ? [`<td>${escapeHtml(r.model ?? '—')}</td>`] : []),
      ...varying.map(
        (k) => `<td${numeric.has(k) || typeof r.varying[k] === 'number' ? ' class="num"' : ''}>${escapeHtml(formatScalar(r.varying[k] ?? null))}</td>`,
      ),
      `<td class="status-${o?.status ?? 'pending'}">${o?.status ?? 'pending'}</td>`,
      `<td class="num" data-test-accuracy="${o?.testAccuracy ?? ''}">${o?.testAccuracy === null || o?.testAccuracy === undefined ? '—' : o.testAccuracy.toFixed(2)}</td>`,
      `<td class="num">${o?.testCost === null || o?.testCost === undefined ? '—' : o.testCost.toFixed(4)}</td>`,
      `<td class="num">${o?.seconds === null || o?.seconds === undefined ? '—' : o.seconds.toFixed(1)}</td>`,
      `<td class="files">${links.join(' ')}</td>`,
    ];
    return `<tr data-run-id="${r.runId}">${cells.join('')}</tr>`;
  });
  return [
    '<div class="table-wrap"><table class="runs">',
    `<thead><tr>${head.map((h) => `<th scope="col"${numeric.has(h) || (varying.includes(h) && rows.every((r) => typeof r.varying[h] === 'number')) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>\n${body.join('\n')}\n</tbody></table></div>`,
  ].join('\n');
}
