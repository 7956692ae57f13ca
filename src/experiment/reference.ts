import { experimentJsonSchema } from './schema.ts';

/** schema/experiment.schema.json's exact text: what editors read for completion and checks. */
export function schemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}

/**
 * schema/reference.md, generated from the schema: one table per section of the file, every key
 * with its type, default and description. Committed, and checked by a test like the schema itself.
 */
export function schemaReference(): string {
  const root = experimentJsonSchema() as unknown as Node;
  const props = root.properties ?? {};
  const lines = [
    '# Experiment file reference',
    '',
    '<!-- Generated from src/experiment/schema.ts by `npm run schema:write`; do not edit. -->',
    '',
    `${root.description ?? ''} Keys are snake_case; every key but \`name\` is optional.`,
    '',
  ];
  const section = (title: string, node: Node | undefined, prefix: string, skip: string[] = []) => {
    lines.push(`## ${title}`, '', node?.description ?? '', '', '| key | type | default | description |', '|---|---|---|---|');
    for (const [key, child] of Object.entries(node?.properties ?? {})) {
      if (skip.includes(key)) continue;
      lines.push(
        `| \`${prefix}${key}\` | ${typeOf(child)} | ${child.default === undefined ? '—' : `\`${JSON.stringify(child.default)}\``} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`,
      );
    }
    lines.push('');
  };
  section('Top level', root, '');
  section('`dataset:`', props.dataset, 'dataset.');
  section('`defaults:` and each variant', props.defaults, '');
  const variant = props.variants?.items;
  lines.push('A variant has the same keys, plus:', '', '| key | type | default | description |', '|---|---|---|---|');
  for (const key of ['id', 'label']) {
    const child = variant?.properties?.[key];
    if (child)
      lines.push(
        `| \`${key}\` | ${typeOf(child)} | ${child.default === undefined ? '—' : `\`${JSON.stringify(child.default)}\``} | ${child.description ?? ''} |`,
      );
  }
  lines.push('');
  section('`history:`', props.defaults?.properties?.history, 'history.');
  section('`early_stopping:`', props.defaults?.properties?.early_stopping, 'early_stopping.');
  section('`checkpoint:`', props.defaults?.properties?.checkpoint, 'checkpoint.');
  const grid = props.grid;
  lines.push(
    '## `grid:`',
    '',
    grid?.description ?? '',
    '',
    `Grid keys (each a list of values): ${Object.keys(grid?.properties ?? {})
      .filter((k) => k !== 'zip' && k !== 'exclude')
      .map((k) => `\`${k}\``)
      .join(', ')}.`,
    '',
    `- \`zip\`: ${grid?.properties?.zip?.description ?? ''} ${grid?.properties?.zip?.items?.description ?? ''}`,
    `- \`exclude\`: ${grid?.properties?.exclude?.description ?? ''} ${grid?.properties?.exclude?.items?.description ?? ''} Keys: \`variant\` and any grid key.`,
    '',
  );
  const search = props.search;
  section('`search:`', search, 'search.', ['space', 'pruner']);
  lines.push(
    `\`search.space\`: ${search?.properties?.space?.description ?? ''} Keys: ${Object.keys(search?.properties?.space?.properties ?? {})
      .map((k) => `\`${k}\``)
      .join(', ')}.`,
    '',
  );
  section('`search.pruner:`', search?.properties?.pruner, 'search.pruner.');
  section('`table:`', props.table, 'table.');
  section('`compare:` (each entry of the list)', props.compare?.items, '');
  section('`charts:`', props.charts, 'charts.');
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

interface Node {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
}

function typeOf(node: Node): string {
  if (node.enum) return node.enum.join(' \\| ');
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  return types
    .map((t) => {
      // A string that must be one word (`epoch`, `auto`, `all`) is shown as that word.
      const word = t === 'string' ? /^\^([a-z]+)\$$/.exec(node.pattern ?? '')?.[1] : undefined;
      if (word !== undefined) return `\`${word}\``;
      // Every limit the schema enforces is stated: a reader should not learn one from an error.
      if (t === 'string' && node.pattern)
        return `string matching \`${node.pattern}\`${node.maxLength === undefined ? '' : `, at most ${node.maxLength} characters`}`;
      if (t === 'array') {
        const count =
          node.minItems !== undefined && node.maxItems !== undefined
            ? ` (${node.minItems} to ${node.maxItems})`
            : node.minItems !== undefined && node.minItems > 1
              ? ` (at least ${node.minItems})`
              : '';
        return `list of ${node.items ? typeOf(node.items) : 'values'}${count}`;
      }
      if (t === 'object') return 'mapping';
      if (t === 'integer' || t === 'number') {
        const low = node.minimum !== undefined ? `${node.minimum} ≤ ` : node.exclusiveMinimum !== undefined ? `${node.exclusiveMinimum} < ` : '';
        const high =
          node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER
            ? ` ≤ ${node.maximum}`
            : node.exclusiveMaximum !== undefined
              ? ` < ${node.exclusiveMaximum}`
              : '';
        if (low && high) return `${t}, ${low}x${high}`;
        if (node.minimum !== undefined) return `${t} ≥ ${node.minimum}`;
        if (node.exclusiveMinimum !== undefined) return `${t} > ${node.exclusiveMinimum}`;
        if (high) return `${t}${high}`;
      }
      return t;
    })
    .join(' \\| ');
}
