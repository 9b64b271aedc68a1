import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flushWhileWritten, fsyncFileAsync } from '../../main/core/util/durableFile';
import { tempDir } from '../helpers/paths';

// The export's clip went to a slow stick only at the fsync after ffmpeg ended (the write followed
// the cut instead of running beside it), and that fsync blocked the core's event loop for the
// stick's seconds (issue 17's bench:export).
describe('writing a file back to the medium while another process writes it', () => {
  it('flushes while a child process writes, waits for the file to appear, stops cleanly; the file is whole', async () => {
    const dir = tempDir('flush-while-written');
    try {
      const file = path.join(dir, 'clip.mp4.part');
      const writeback = flushWhileWritten(file, 50);
      // another process: created after a moment, then 30 chunks of 64 KB over ~1.5 s
      const child = spawn(process.execPath, ['-e', `
        const fs = require('node:fs');
        setTimeout(() => {
          const fd = fs.openSync(${JSON.stringify(file)}, 'w');
          let n = 0;
          const timer = setInterval(() => {
            fs.writeSync(fd, Buffer.alloc(65536, n));
            if (++n === 30) { clearInterval(timer); fs.closeSync(fd); }
          }, 50);
        }, 200);
      `]);
      await new Promise((resolve) => child.once('exit', resolve));
      await writeback.stop();
      const flushed = writeback.flushes();
      expect(flushed).toBeGreaterThanOrEqual(5);
      // stopped: no flush after stop
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(writeback.flushes()).toBe(flushed);
      expect(fs.statSync(file).size).toBe(30 * 65536);
      await fsyncFileAsync(file);
      const data = fs.readFileSync(file);
      for (let n = 0; n < 30; n++) expect(data[n * 65536 + 100]).toBe(n);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file that never appears: no flush, no error; stop returns', async () => {
    const dir = tempDir('flush-never');
    try {
      const writeback = flushWhileWritten(path.join(dir, 'absent.part'), 20);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await writeback.stop();
      expect(writeback.flushes()).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
