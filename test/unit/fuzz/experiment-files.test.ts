/**
 * Fuzzing the validation boundary with mutated experiment files (fast-check, fixed seed, bounded):
 * whatever the bytes, validation ends with "valid" or with problems the CLI prints as
 * `FILE:LINE:COL: error: MESSAGE`, never with another exception (a stack trace), and in bounded time.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrinted, count, FUZZ_SEED, fuzzOptions, tried, validateAtBoundary } from '../../support/fuzz.ts';
import { workspace } from '../../support/workspace.ts';

/**
 * Per case, a bound for a blow-up, not a speed check: validating one of these small files takes
 * milliseconds, so no load on a machine brings it near 20 s (a thousandfold slowdown), while the
 * quadratic locator this caught took 44 s. (test/unit/experiment/source-limits.test.ts pins that case.)
 */
const CASE_BOUND_MS = 20_000;

const corpus = [
  ...readdirSync('experiments')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join('experiments', f)),
  ...readdirSync('test/fixtures/valid')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join('test/fixtures/valid', f)),
].map((file) => ({ file, text: readFileSync(file, 'utf8') }));

const space = workspace('fuzz');
// The IDX fixture names ../data/...: give the cases the same neighbours.
cpSync('test/fixtures/data', path.join(space.dir, 'data'), { recursive: true });
mkdirSync(path.join(space.dir, 'cases'));
afterAll(() => {
  process.stdout.write(`fuzz cases tried (seed ${FUZZ_SEED}): ${[...tried].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
});

let caseNumber = 0;
/** Validates one case's bytes at the boundary and returns what is wrong with the outcome, or null. */
function judge(bytes: Uint8Array | string, suite: string): string | null {
  count(suite);
  const file = space.write(path.join('cases', `case-${caseNumber++ % 50}.yaml`), bytes);
  const started = performance.now();
  let outcome: ReturnType<typeof validateAtBoundary>;
  try {
    outcome = validateAtBoundary(file);
  } catch (error) {
    return `threw past the boundary: ${error instanceof Error ? error.stack : String(error)}`;
  }
  const elapsed = performance.now() - started;
  if (elapsed > CASE_BOUND_MS) return `took ${elapsed.toFixed(0)} ms`;
  return outcome.ok ? null : checkPrinted(outcome.problems, file);
}

// ---- values a mutation puts where something else belongs ----
const deep = fc.integer({ min: 1, max: 3000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`) as unknown);
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double(),
  fc.constantFrom(null, true, false, 0, -1, 1e300, -1e300, 2 ** 53, 2_000_000_000, 0.5, -0.5, 'epoch', 'softmax', 'relu', '', '~', 'yes', '1e-3', '[]', '{}'),
  fc.array(fc.oneof(fc.integer({ min: -10, max: 3_000_000_000 }), fc.string({ maxLength: 4 })), { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxKeys: 3 }),
  deep,
);

/** Every path (map keys, list indices) into a plain value. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 500) return out;
  if (Array.isArray(value))
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      paths(v, [...prefix, i], out);
    });
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], out);
    }
  return out;
}

type Mutation = { kind: 'delete' | 'rename' | 'replace' | 'wrap' | 'typo'; at: number; value: unknown; name: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'rename', 'replace', 'replace', 'wrap', 'typo'),
  at: fc.nat(),
  value: wrongValue,
  name: fc.oneof(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.constantFrom('layers', 'epochs', 'grid', 'zip', 'seeds', 'defaults', 'variants', 'history', 'dataset', 'exclude', '<<'),
  ),
});

function mutate(data: unknown, m: Mutation): unknown {
  const all = paths(data);
  if (all.length === 0) return m.value;
  const target = all[m.at % all.length]!;
  const parent = target.slice(0, -1).reduce<any>((node, key) => node[key], data);
  const key = target.at(-1)!;
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        parent[m.name] = parent[key];
        if (m.name !== key) delete parent[key];
      }
      break;
    case 'typo':
      if (!Array.isArray(parent) && typeof key === 'string' && key.length > 1) {
        parent[key.slice(1)] = parent[key];
        delete parent[key];
      }
      break;
    case 'replace':
      parent[key] = m.value;
      break;
    case 'wrap':
      parent[key] = (m.at & 1) === 0 ? [parent[key]] : { [m.name]: parent[key] };
      break;
  }
  return data;
}

// ---- text- and byte-level damage ----
type Damage = { kind: string; at: number; bytes: Uint8Array; length: number; delta: number };
const damage: fc.Arbitrary<Damage> = fc.record({
  kind: fc.constantFrom(
    'garbage',
    'tab',
    'bom',
    'crlf',
    'long-line',
    'long-line-bad-byte',
    'indent',
    'alias-bomb',
    'anchor-alias',
    'unknown-alias',
    'delete-char',
    'insert-char',
    'truncate',
    'deep-block',
    'merge-scalar',
    'nul',
  ),
  at: fc.nat(),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  length: fc.integer({ min: 1_000, max: 400_000 }),
  delta: fc.constantFrom(-3, -2, -1, 1, 2, 3),
});

const BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
];

function damageText(text: string, d: Damage): Uint8Array | string {
  const lines = text.split('\n');
  const i = d.at % lines.length;
  const encoder = new TextEncoder();
  switch (d.kind) {
    case 'garbage':
      return Buffer.concat([encoder.encode(`${lines.slice(0, i).join('\n')}\n`), d.bytes, encoder.encode(`\n${lines.slice(i).join('\n')}`)]);
    case 'tab':
      lines[i] = lines[i]!.replace(/^ +/, '\t');
      return lines.join('\n');
    case 'bom':
      return `\ufeff${text}`;
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'long-line':
      lines.splice(i, 0, `description: ${'x'.repeat(d.length)}`);
      return lines.join('\n');
    case 'long-line-bad-byte':
      return Buffer.concat([encoder.encode(`${text}\ndescription: "${'é'.repeat(d.length / 2)}`), Uint8Array.of(0xff), encoder.encode('"\n')]);
    case 'indent': {
      const indent = /^ */.exec(lines[i]!)![0].length;
      lines[i] = ' '.repeat(Math.max(0, indent + d.delta)) + lines[i]!.trimStart();
      return lines.join('\n');
    }
    case 'alias-bomb':
      return `${text}\n${BOMB.map((l) => `# ${l}`).join('\n')}\ndescription:\n${BOMB.map((l) => `  ${l}`).join('\n')}\n`.replace(
        /^description:.*\n(?=description:)/m,
        '',
      );
    case 'anchor-alias':
      return text.replace(/^defaults:/m, 'defaults: &d').replace(/^variants:/m, 'variants:\n  - <<: *d\n    id: merged');
    case 'unknown-alias':
      lines.splice(i, 0, 'seed: *nowhere');
      return lines.join('\n');
    case 'delete-char': {
      const p = d.at % Math.max(1, text.length);
      return text.slice(0, p) + text.slice(p + 1);
    }
    case 'insert-char': {
      const p = d.at % Math.max(1, text.length);
      return text.slice(0, p) + '[]{}:,-#&*!|>\'"%@`?\t'[d.bytes[0]! % 20] + text.slice(p);
    }
    case 'truncate':
      return text.slice(0, d.at % Math.max(1, text.length));
    case 'deep-block':
      lines.splice(i, 0, ...Array.from({ length: 200 + (d.length % 2000) }, (_, k) => `${' '.repeat(k)}k${k}:`));
      return lines.join('\n');
    case 'merge-scalar':
      lines.splice(i, 0, `${/^ */.exec(lines[i] ?? '')![0]}<<: ${d.bytes[0]}`);
      return lines.join('\n');
    case 'nul':
      return text.replace(/\n/, '\u0000\n');
    default:
      return text;
  }
}

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

describe('fuzzed experiment files at the validation boundary', () => {
  it('mutated structures (keys deleted, renamed, misspelt; values of the wrong type, huge, negative, deeply nested)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 4 }), (source, mutations) => {
        const data = mutations.reduce(mutate, parse(source.text) as unknown);
        let text: string;
        try {
          text = stringify(data, { aliasDuplicateObjects: false });
        } catch {
          return; // a value the YAML writer itself cannot write (too deep for it): nothing to validate
        }
        const wrong = judge(text, 'structure');
        if (wrong) throw new Error(`${wrong}\n--- case ---\n${text.slice(0, 2000)}`);
      }),
      fuzzOptions(NUM_RUNS, 18_000),
    );
  });

  it('damaged text and bytes (garbage, tabs, BOM, CRLF, long lines, bad indentation, anchors, aliases and bombs, truncation)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.array(damage, { minLength: 1, maxLength: 3 }), (source, damages) => {
        let bytes: Uint8Array | string = source.text;
        for (const d of damages) bytes = damageText(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1'), d);
        const wrong = judge(bytes, 'text');
        if (wrong) throw new Error(`${wrong}\n--- case (${damages.map((d) => d.kind).join(', ')}) ---\n${String(bytes).slice(0, 1000)}`);
      }),
      fuzzOptions(NUM_RUNS, 14_000),
    );
  });

  it('an indentation mistake is reported on the wrongly indented line, not the one above it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.nat(), fc.constantFrom(1, 2, 3, 4), (source, at, delta) => {
        count('indentation');
        const lines = source.text.split('\n');
        // A nested key line (indented, `key: value`) pushed deeper than its siblings.
        const candidates = lines
          .map((l, i) => ({ l, i }))
          .filter(
            ({ l, i }) => i > 0 && /^ +[a-z_]+:/.test(l) && /^ *[a-z_-]/.test(lines[i - 1]!) && /:\s*\S/.test(lines[i - 1]!) && !/^\s*#/.test(lines[i - 1]!),
          );
        if (candidates.length === 0) return;
        const { i } = candidates[at % candidates.length]!;
        lines[i] = ' '.repeat(delta) + lines[i]!;
        const file = space.write(path.join('cases', 'indent.yaml'), lines.join('\n'));
        const outcome = validateAtBoundary(file);
        if (outcome.ok) return; // some indentations are valid YAML with another meaning, checked by the schema
        const syntax = outcome.problems.filter((p) => p.code === 'yaml-syntax');
        for (const p of syntax) expect(p.line, `${p.message}\n${lines.slice(Math.max(0, i - 2), i + 2).join('\n')}`).toBe(i + 1);
      }),
      fuzzOptions(300, 3_000),
    );
  });
});
