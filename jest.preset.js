/**
 * Shared jest settings. Every package's jest.config.cjs spreads this.
 * - ts-jest compiles TypeScript to CommonJS without type-checking (the `typecheck` target does that).
 * - `@tokenwarden/source` resolves workspace packages to their TypeScript sources, so tests never
 *   depend on a previous build.
 * - Unhandled rejections fail the run (see jest.setup.js): a background refresh must never leak one.
 */
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@tokenwarden/source', 'node', 'require', 'default'],
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  setupFilesAfterEnv: [path.join(__dirname, 'jest.setup.js')],
  reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.cjs')],
  testTimeout: 20000,
};
