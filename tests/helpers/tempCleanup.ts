import { afterAll } from 'vitest';
import { removeTempDirs } from './paths';

// setupFiles: after each test file (its own afterAll hooks first), the folders it made with
// tempDir() are removed, whether its tests passed or failed.
afterAll(() => removeTempDirs());
