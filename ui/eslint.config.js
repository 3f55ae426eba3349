import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'src/api/bindings/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // Only src/api/ talks to the Rust side.
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    ignores: ['src/api/**', 'src/test/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@tauri-apps/api/core', message: 'Call the Rust side through src/api/ only.' }] }],
    },
  },
);
