/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number' || /^[\d.,]+( [kMGTP]?FLOP| [kMGTP]?B)?$/.test(String(row[c]))),
  );
  return cells
    .map((row) =>
      row
        .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 1.97 TFLOP, 32.8 GFLOP. */
export function formatFlops(flops: number): string {
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let value = flops;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}FLOP`;
}
