#!/usr/bin/env node
// Runs every compiled test file with Node's test runner. Only files whose TypeScript source still
// exists are run, so a deleted test cannot linger in dist/. Arguments filter by path substring.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Each project compiles its tests from `source` into `compiled`.
const projects = [
  ...['packages/sync-crypto', 'apps/sandbox', 'apps/daemon'].map((dir) => ({ source: join(dir, 'test'), compiled: join(dir, 'dist', 'test') })),
  { source: 'test', compiled: join('test', 'dist') },
];
const filters = process.argv.slice(2);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const files = [];
for (const { source: sourceDir, compiled } of projects) {
  if (!existsSync(compiled)) continue;
  for (const file of walk(compiled)) {
    if (!file.endsWith('.test.js')) continue;
    const source = join(sourceDir, relative(compiled, file)).replace(/\.js$/, '.ts');
    if (!existsSync(source)) continue;
    if (filters.length > 0 && !filters.some((filter) => file.includes(filter))) continue;
    files.push(file);
  }
}

if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}

const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);
