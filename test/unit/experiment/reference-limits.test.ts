import { describe, expect, it } from 'vitest';
import { experimentJsonSchema, schemaReference } from '../../../src/experiment/index.ts';

/** Every key of the schema, with its node, wherever it is (defaults, variants, grid items are the same parameters). */
function keys(node: Record<string, unknown>, out = new Map<string, Record<string, unknown>>()): Map<string, Record<string, unknown>> {
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!out.has(key)) out.set(key, child);
    keys(child, out);
    if (child.items && typeof child.items === 'object') keys(child.items as Record<string, unknown>, out);
  }
  return out;
}

describe('the key reference', () => {
  const reference = schemaReference();
  const typeCell = (key: string) =>
    reference
      .split('\n')
      .find((line) => line.startsWith(`| \`${key}\` |`))
      ?.split(' | ')[1] ?? null;

  it('states every upper bound and pattern that the schema enforces', () => {
    const missing: string[] = [];
    for (const [key, node] of keys(experimentJsonSchema() as Record<string, unknown>)) {
      const cell = typeCell(key);
      if (cell === null) continue;
      if (typeof node.exclusiveMaximum === 'number' && !cell.includes(`< ${node.exclusiveMaximum}`)) missing.push(`${key}: < ${node.exclusiveMaximum}`);
      if (typeof node.pattern === 'string' && node.pattern !== '^epoch$' && !cell.includes(node.pattern)) missing.push(`${key}: ${node.pattern}`);
      if (typeof node.maxItems === 'number' && !cell.includes(String(node.maxItems))) missing.push(`${key}: at most ${node.maxItems} items`);
    }
    expect(missing).toEqual([]);
    expect(typeCell('momentum')).toBe('number, 0 ≤ x < 1');
  });
});
