module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'example-compose',
  rootDir: __dirname,
};
