// Builds the native addon during `npm install` / `npm ci`. It never fails the install: without a
// compiler (or on any build error) it prints one line, records why in build/status.json, and the
// tool falls back to wasm (src/backends/load.ts reads that reason for its one-line note).
// MLP_LAB_SKIP_NATIVE=1 skips the build (to try the fallback).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const buildDir = join(here, 'build');

function finish(ok, reason, log = '') {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(join(buildDir, 'status.json'), `${JSON.stringify({ ok, reason })}\n`);
  if (log) writeFileSync(join(buildDir, 'build.log'), log);
  if (!ok) console.log(`mlp-lab: native addon not built (${reason}); the tool will use wasm`);
  process.exit(0);
}

if (process.env.MLP_LAB_SKIP_NATIVE === '1') finish(false, 'skipped by MLP_LAB_SKIP_NATIVE=1');

// Name the missing tool rather than let node-gyp fail with a page of log (Windows builds with MSBuild).
function onPath(names) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return names.some((name) => dirs.some((dir) => existsSync(join(dir, name))));
}
if (process.platform !== 'win32') {
  const cxx = process.env.CXX ? [process.env.CXX.split(' ')[0]] : ['c++', 'g++', 'clang++'];
  const compiler = cxx.some((c) => c.includes('/') && existsSync(c)) || onPath(cxx);
  const missing = [
    ...(compiler ? [] : ['C++ compiler']),
    ...(onPath(['make']) ? [] : ['make']),
    ...(process.env.PYTHON || onPath(['python3', 'python']) ? [] : ['python3']),
  ];
  if (missing.length > 0) finish(false, `no ${missing.join(', ')}`);
}

// npm puts its bundled node-gyp in npm_config_node_gyp for scripts; fall back to where npm lives.
const nodeGyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')].find(
  (p) => p && existsSync(p),
);
if (!nodeGyp) finish(false, 'node-gyp not found');

const args = [nodeGyp, 'rebuild', '--directory', here];
// Build against the local headers rather than downloading them (there may be no network).
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
if (result.status === 0 && existsSync(join(buildDir, 'Release/mlp_kernels.node'))) finish(true, null, log);

finish(false, 'node-gyp failed, see native/build/build.log', log);
