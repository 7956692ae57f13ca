import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { problem, UserError, type Problem } from '../errors.ts';
import { problemAtNode, type Source } from './source.ts';

/**
 * The document as plain data. Throws a `too-deep` or `bad-merge` problem for a document the yaml
 * library cannot convert, and a `yaml-aliases` problem for an alias bomb (aliases that expand to
 * an enormous document), which the library detects while converting.
 */
export function sourceData(source: Source): unknown {
  const structure = structureProblems(source);
  if (structure.length > 0) throw new UserError(structure);
  try {
    return source.doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new UserError(problem('yaml-aliases', "the file's aliases (`*name`) expand to too much data", { file: source.file, line: 1, col: 1 }));
  }
}

/**
 * Checks of a parsed document's shape that must come before it is turned into plain data, because
 * the yaml library (and ajv after it) would otherwise throw while converting: nesting deep enough to
 * exhaust the call stack, and merge keys (`<<:`) whose value is not a mapping. The walk is
 * iterative, so that it cannot itself run out of stack.
 */

/** Experiment files nest a handful of levels; anything this deep is a mistake, not an experiment. */
export const MAX_DEPTH = 64;

export function structureProblems(source: Source): Problem[] {
  const problems: Problem[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: source.doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_DEPTH) {
      problems.push(
        problemAtNode(source, node as Node, 'too-deep', `the file nests lists and mappings more than ${MAX_DEPTH} levels deep`, {
          hint: 'an experiment file needs a few levels; check the brackets and indentation',
        }),
      );
      break; // one report is enough; deeper levels would repeat it
    }
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        if (isMergeKey(item.key) && !isMergeSource(source, item.value)) {
          problems.push(
            problemAtNode(
              source,
              (item.value ?? item.key) as Node,
              'bad-merge',
              'a merge key `<<:` needs a mapping, an alias of one (`<<: *name`) or a list of them',
              {
                hint: 'anchor a mapping with `&name` and merge it with `<<: *name`',
              },
            ),
          );
        }
        stack.push({ node: item.value, depth: depth + 1 });
      } else {
        stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return problems;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value as unknown;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

function isMergeSource(source: Source, value: unknown): boolean {
  const resolved = isAlias(value) ? value.resolve(source.doc) : value;
  if (isMap(resolved)) return true;
  if (!isSeq(resolved)) return false;
  return resolved.items.every((item) => isMap(isAlias(item) ? item.resolve(source.doc) : item));
}
