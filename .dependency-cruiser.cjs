/**
 * The stage order of src/, checked by `npm test` (npm run check:layers).
 *
 * Floors, from the bottom. A folder imports only from floors below it (or from its own), and no
 * two files import each other, directly or through others. The order is the data flow: a file
 * becomes runs (experiment), runs become trained records (run, queue), records become rows and
 * tables (tables), then comparisons, charts and the page, which publish writes into results/.
 * So training never depends on drawing, and the core depends on nothing of the tool.
 * src/errors.ts is a leaf every floor may use. docs/architecture.md explains each floor.
 */
const FLOORS = [
  ['core'],
  ['data', 'store', 'backends', 'search'],
  ['experiment'],
  ['run'],
  ['queue'],
  ['tables'],
  ['compare'],
  ['charts'],
  ['page'],
  ['publish'],
  ['cli'],
];

const folders = (list) => `^src/(${list.join('|')})/`;

const upward = FLOORS.slice(0, -1).map((floor, i) => ({
  name: `no-import-up-from-${floor.join('-')}`,
  comment: `${floor.join(', ')} may import only from floors below it: ${FLOORS.slice(0, i).flat().join(', ') || 'nothing of the tool'}`,
  severity: 'error',
  from: { path: folders(floor) },
  to: { path: folders(FLOORS.slice(i + 1).flat()) },
}));

const sideways = FLOORS.filter((floor) => floor.length > 1).flatMap((floor) => floor.map((folder) => ({
  name: `no-import-across-from-${folder}`,
  comment: `${floor.join(', ')} share a floor: none imports another`,
  severity: 'error',
  from: { path: folders([folder]) },
  to: { path: folders(floor.filter((f) => f !== folder)) },
})));

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'no-cycles',
      comment: 'no file imports itself through others (type-only imports count: they tie the files as much)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-without-io',
      comment: 'the numeric core is pure: no file system, threads, processes or network',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(node:)?(fs|fs/promises|worker_threads|child_process|net|http|https|os)$' , dependencyTypes: ['core'] },
    },
    {
      name: 'every-folder-is-a-floor',
      comment: 'a new folder under src/ must be given its floor in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: [folders(FLOORS.flat()), '^src/errors\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['\\.d\\.ts$'] },
  },
};
