module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'mittwald',
  rootDir: __dirname,
};
