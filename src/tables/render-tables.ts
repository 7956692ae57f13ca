import type { Table } from './tables.ts';

/** A Markdown (GitHub) table with a caption line above it. */
export function markdownTable(table: Table): string {
  const lines = [
    `**${escapeMarkdown(table.caption)}**`,
    '',
    `| ${table.header.map(escapeMarkdown).join(' | ')} |`,
    `| ${table.header.map((_, i) => (isNumericColumn(table, i) ? '---:' : '---')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.cells.map((c, i) => (r.bold[i] ? `**${escapeMarkdown(c)}**` : escapeMarkdown(c))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Numbers (and mean ± std) read best right-aligned; the first column labels the rows. */
function isNumericColumn(table: Table, column: number): boolean {
  return column > 0 && table.rows.every((r) => /^[-\d.±\s—()a-z/]*\d[-\d.±\s—()a-z/]*$/.test(r.cells[column] ?? ''));
}

/** A LaTeX booktabs table (needs \usepackage{booktabs}), ready to paste into a report. */
export function latexTable(table: Table): string {
  const escapeCell = escapeLatex;
  const align = `l${'r'.repeat(Math.max(0, table.header.length - 1))}`;
  return [
    '\\begin{table}[ht]',
    '  \\centering',
    `  \\caption{${escapeCell(table.caption)}}`,
    `  \\begin{tabular}{${align}}`,
    '    \\toprule',
    `    ${table.header.map(escapeCell).join(' & ')} \\\\`,
    '    \\midrule',
    ...table.rows.map((r) => `    ${r.cells.map((c, i) => (r.bold[i] ? `\\textbf{${escapeCell(c)}}` : escapeCell(c))).join(' & ')} \\\\`),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
  ].join('\n');
}

/**
 * Text as it reads in a Markdown cell: `|` would end the cell, `<` start HTML, `*` and `` ` ``
 * emphasis or code, `_` emphasis where it starts or ends a word (inside one, as in
 * learning_rate, GitHub leaves it alone, and so is it left here, for readable files).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*|]/g, '\\$&')
    .replace(/(^|[^A-Za-z0-9])_|_(?=$|[^A-Za-z0-9])/g, (m) => m.replace('_', '\\_'))
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const LATEX: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '±': '$\\pm$',
  '—': '---',
};

/** Text as it reads in LaTeX: one pass, so that the braces of `\textbackslash{}` are not escaped again. */
export function escapeLatex(text: string): string {
  return text.replace(/[\\&%$#_{}~^<>|±—]/g, (c) => LATEX[c]!);
}
