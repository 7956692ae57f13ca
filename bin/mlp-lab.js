#!/usr/bin/env node
// The installed program runs the JavaScript that `npm ci` compiled and bundled into dist/bundle/
// (through `prepare`), so nothing is compiled at start-up. MLP_LAB_FROM_SOURCE=1 runs the TypeScript sources through
// tsx instead: the test suite does, so that it always tests the code as it is in src/.
import { existsSync } from 'node:fs';

const fromSource = process.env.MLP_LAB_FROM_SOURCE === '1';
const entry = new URL(fromSource ? '../src/cli/main.ts' : '../dist/bundle/main.js', import.meta.url);
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
} else if (!existsSync(entry)) {
  process.stderr.write('mlp-lab: dist/ is missing: build it with `npm run build` (npm ci does it)\n');
  process.exit(1);
}
await import(entry.href);
