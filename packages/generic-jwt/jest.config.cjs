// jose ships ES modules only and jest runs CommonJS (without --experimental-vm-modules), so the
// tests compile the package's `import('jose')` to a require() and jose itself to CommonJS
// (tsconfig.jest.json, transpile only). The built package keeps the real dynamic import.
const transpile = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }];

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'generic-jwt',
  rootDir: __dirname,
  transform: { '^.+\\.ts$': transpile, '/node_modules/jose/.+\\.js$': transpile },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
