module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'auth-core',
  rootDir: __dirname,
};
