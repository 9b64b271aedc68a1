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
import local from './scripts/eslint/noImportCycle.mjs';

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

// Feature folders: a feature imports common/, util/, the shared services and what it is handed,
// never another feature's folder (the composition roots, renderer/features.ts and
// main/core/core.ts, are the only places that know every feature).
const RENDERER_FEATURES = ['audit', 'export', 'map', 'playback', 'ptz', 'wall'];
const CORE_FEATURES = ['devices', 'export', 'map', 'playback', 'ptz', 'security'];

/** @param {string} feature @param {string[]} features */
function otherFeatures(feature, features) {
  const others = features.filter((name) => name !== feature).join('|');
  return [{ regex: `^\\.\\./(${others})(/|$)`, message: `A feature imports common/, util/ and the services it is given, never another feature's folder (${feature}/ → ${others.split('|').join(', ')}).` }];
}

function registryOf() {
  return [{ regex: '^\\.\\./features$', message: 'Only the composition root (App.tsx) imports the feature registry; take the types from featureTypes.ts.' }];
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
  ...RENDERER_FEATURES.map((feature) => ({
    files: [`renderer/${feature}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...noNode.paths, { name: 'electron', message: 'The renderer reaches the core only through the contract.' }],
        patterns: [...noNode.patterns, ...forbidFolders(['main', 'preload'], 'The renderer reaches the core only through the contract.'), ...otherFeatures(feature, RENDERER_FEATURES), ...registryOf()],
      }],
    },
  })),
  ...CORE_FEATURES.map((feature) => ({
    files: [`main/core/${feature}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [...forbidFolders(['renderer', 'preload'], 'main/ never imports UI code.'), ...otherFeatures(feature, CORE_FEATURES)],
      }],
    },
  })),
  {
    files: ['common/**/*.ts', 'main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { local },
    rules: { 'local/no-import-cycle': 'error' },
  },
  {
    files: ['scripts/**/*.mjs', 'tests/**/*.ts', '*.config.*', 'bench/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
);
