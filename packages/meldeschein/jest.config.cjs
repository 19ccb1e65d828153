module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'meldeschein',
  rootDir: __dirname,
};
