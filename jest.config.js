import { homedir } from 'node:os';
import { join } from 'node:path';

// Jest runs TypeScript as native ESM: @swc/jest strips types (fast, no type
// check — `npm run typecheck` does that), and the mapper lets sources keep the
// `.js` extensions that NodeNext resolution requires.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  throw new Error(
    `stepship targets Node 24; jest is running on Node ${process.version}. Run it through npm (npm test), which puts the project's Node 24 first on the PATH.`,
  );
}

// Every local cloud a test starts synthesizes the pipeline, whose fifteen Lambda bundles cost esbuild
// ~10 s: kept between synths and runs, keyed by their inputs' content (orchestration/lambda-bundle-cache.ts).
// Set here, before the workers start, so they and the stepship commands the tests spawn inherit it.
process.env.STEPSHIP_LAMBDA_BUNDLE_CACHE ??= join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'stepship',
  'lambda-bundles',
);

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/cdk.out', '<rootDir>/service/dist'],
  testTimeout: 30_000,
  // Most suites spend their time waiting on the local cloud's processes and sockets, not on the CPU:
  // two workers overlap that waiting even on a 2-core machine (Jest's default there is one).
  maxWorkers: 2,
};
