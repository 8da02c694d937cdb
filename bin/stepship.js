#!/usr/bin/env node
// The `stepship` command. stepship is TypeScript run by tsx on Node 24 (its
// dependencies need Node 22 or later). Started by an older Node — the system
// Node of many machines — it runs itself again on the Node 24 that the `node`
// package installs beside it, passing signals through so Ctrl-C still stops
// everything it started.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) >= REQUIRED_MAJOR) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
} else {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(
      `stepship needs Node.js ${REQUIRED_MAJOR} or later (this is ${process.version}), and the node package that brings it is not installed. Run npm install (or npm ci) again.`,
    );
    process.exit(1);
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
