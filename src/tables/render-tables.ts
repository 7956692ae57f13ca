import type { Table } from './tables.ts';

/** A Markdown (GitHub) table with a caption line above it. */
export function markdownTable(table: Table): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `**${table.caption}**`,
    '',
    `| ${table.header.map(escape).join(' | ')} |`,
    `| ${table.header.map((_, i) => (isNumericColumn(table, i) ? '---:' : '---')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.cells.map((c, i) => (r.bold[i] ? `**${escape(c)}**` : escape(c))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Numbers (and mean ± std) read best right-aligned; the first column labels the rows. */
function isNumericColumn(table: Table, column: number): boolean {
  return column > 0 && table.rows.every((r) => /^[-\d.±\s—()a-z/]*\d[-\d.±\s—()a-z/]*$/.test(r.cells[column] ?? ''));
}

/** A LaTeX booktabs table (needs \usepackage{booktabs}), ready to paste into a report. */
export function latexTable(table: Table): string {
  const escape = (s: string) =>
    s.replace(/\\/g, '\\textbackslash{}').replace(/([&%$#_{}])/g, '\\$1').replace(/±/g, '$\\pm$').replace(/—/g, '---');
  const align = `l${'r'.repeat(Math.max(0, table.header.length - 1))}`;
  return [
    '\\begin{table}[ht]',
    '  \\centering',
    `  \\caption{${escape(table.caption)}}`,
    `  \\begin{tabular}{${align}}`,
    '    \\toprule',
    `    ${table.header.map(escape).join(' & ')} \\\\`,
    '    \\midrule',
    ...table.rows.map((r) => `    ${r.cells.map((c, i) => (r.bold[i] ? `\\textbf{${escape(c)}}` : escape(c))).join(' & ')} \\\\`),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
  ].join('\n');
}
