import root from '../eslint.config.mjs';

// The root config skips plain JavaScript because packages are TypeScript; the generator and its
// scripts are JavaScript (Nx must `require` the generator on Node 20), so lint them here.
const javascript = ['src/**/*.js', 'scripts/openapi-types.mjs', 'scripts/check-generator.mjs'];

export default [
  ...root,
  { ignores: [...javascript.map((pattern) => `!${pattern}`), 'src/*/files/**'] },
  {
    files: ['src/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
];
