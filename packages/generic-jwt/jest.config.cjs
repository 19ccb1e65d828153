module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'generic-jwt',
  rootDir: __dirname,
};
