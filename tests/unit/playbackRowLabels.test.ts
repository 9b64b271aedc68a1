import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rowLabels } from '../../renderer/playback/rowLabels';
import { repoRoot } from '../helpers/paths';

// The timeline's row labels were cut at the column's width until cameras looked identical
// ("QL47 – Cầu Khê,…" twice for the two ends of the bridge; issue 18 item 6).
const names = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'demo-site.json'), 'utf8')) as { cameras: { name: string }[] }).cameras.map((camera) => camera.name);

describe('timeline row labels', () => {
  it('the demo’s 31 cameras: every label fits and no two differ only beyond the cut', () => {
    const labels = rowLabels(names, 23);
    for (const label of labels) expect(Array.from(label).length).toBeLessThanOrEqual(23);
    expect(new Set(labels).size).toBe(new Set(names).size);
    const west = labels[names.indexOf('QL47 – Cầu Khê, đầu cầu phía Tây')]!;
    const east = labels[names.indexOf('QL47 – Cầu Khê, đầu cầu phía Đông')]!;
    expect(west).not.toBe(east);
    expect(west.startsWith('QL47')).toBe(true);
    expect(west.endsWith('phía Tây')).toBe(true);
  });

  it('short names stay whole; a long one keeps its start and end around one ellipsis', () => {
    expect(rowLabels(['Chợ – Bãi xe', 'UBND'], 26)).toEqual(['Chợ – Bãi xe', 'UBND']);
    const [label] = rowLabels(['Trường Tiểu học Đông Khê – Cổng trường phía Bắc'], 20);
    expect(Array.from(label!).length).toBeLessThanOrEqual(20);
    expect(label!.split('…')).toHaveLength(2);
    expect(label!.startsWith('Trường')).toBe(true);
    expect(label!.endsWith('Bắc')).toBe(true);
  });

  it('the end grows until names that share a long start and end differ', () => {
    const labels = rowLabels(['Camera cổng phía trước số 1 nhà văn hóa', 'Camera cổng phía trước số 2 nhà văn hóa'], 18);
    expect(labels[0]).not.toBe(labels[1]);
  });
});
