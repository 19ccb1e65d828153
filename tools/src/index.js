// @ts-check
// The package entry Nx resolves `@tokenwarden/tools` through when node_modules has no link to
// tools/ yet (before an `npm install`); the generators themselves are listed in generators.json.
'use strict';

const { providerGenerator } = require('./provider/generator.js');

module.exports = { providerGenerator };
