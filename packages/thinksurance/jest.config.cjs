module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'thinksurance',
  rootDir: __dirname,
};
