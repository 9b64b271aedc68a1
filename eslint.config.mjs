// @ts-check
// Folder = runtime. The import rules below make a wrong-runtime import a lint error:
//   common/   pure TypeScript: no Node, no Electron, no DOM libraries, no other folder
//   renderer/ DOM + React: no Node, no Electron, no main/ or preload/
//   preload/  contextBridge only: electron + common/
//   main/     Node + Electron main: never renderer/ or preload/
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// bare names here; every `node:` specifier is caught by the pattern below
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith("node:"));

const noNode = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Node modules belong in main/ (folder = runtime).' })),
  patterns: [{ group: ['node:*'], message: 'Node modules belong in main/ (folder = runtime).' }],
};

/** @param {string[]} folders @param {string} why */
function forbidFolders(folders, why) {
  return folders.map((folder) => ({ group: [`**/${folder}/*`, `${folder}/*`], message: why }));
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', '.data/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...noNode.paths, { name: 'electron', message: 'common/ is pure TypeScript.' }, { name: 'react', message: 'common/ is pure TypeScript.' }],
        patterns: [...noNode.patterns, ...forbidFolders(['main', 'renderer', 'preload'], 'common/ may import only common/.')],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        paths: [...noNode.paths, { name: 'electron', message: 'The renderer reaches the core only through the contract.' }],
        patterns: [...noNode.patterns, ...forbidFolders(['main', 'preload'], 'The renderer reaches the core only through the contract.')],
      }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: noNode.paths,
        patterns: [...noNode.patterns, ...forbidFolders(['main', 'renderer'], 'preload/ may import only electron and common/.')],
      }],
    },
  },
  {
    files: ['main/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: forbidFolders(['renderer', 'preload'], 'main/ never imports UI code.'),
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'tests/**/*.ts', '*.config.*', 'bench/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
);
