import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraSummary } from '../../common/contract';
import { groupState, matchesQuery, pickerGroups, withGroup } from '../../renderer/export/cameraPicker';
import { repoRoot } from '../helpers/paths';

// The export's camera picker showed six of the demo's 31 cameras at once, names wrapped over four
// lines, with no way to find one (issue 18 item 6): search, grouped by village.
interface DemoCamera {
  id: string;
  name: string;
  village?: string;
}
const demo = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'demo-site.json'), 'utf8')) as { cameras: DemoCamera[] };
const cameras: CameraSummary[] = demo.cameras.map((camera) => ({ id: camera.id, name: camera.name, village: camera.village ?? null, latitude: null, longitude: null, headingDeg: null, ptz: false, streams: ['main'] }));

describe('the export camera picker', () => {
  it('groups the demo’s 31 cameras by village, each camera once, villages in Vietnamese order', () => {
    expect(cameras).toHaveLength(31);
    const groups = pickerGroups(cameras, '');
    expect(groups.flatMap((group) => group.cameras.map((camera) => camera.id)).sort()).toEqual(cameras.map((camera) => camera.id).sort());
    const named = groups.map((group) => group.village).filter((village): village is string => village !== null);
    expect(named).toEqual([...named].sort(new Intl.Collator('vi').compare));
    expect(new Set(named).size).toBe(named.length);
    expect(groups.length).toBeGreaterThanOrEqual(9);
  });

  it('finds cameras by name, id or village, without marks or case, every word', () => {
    const withMarks = cameras.find((camera) => /[ăâđêôơư]/i.test(camera.name))!;
    const folded = withMarks.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toUpperCase();
    expect(matchesQuery(withMarks, folded)).toBe(true);
    expect(pickerGroups(cameras, 'dk-07').flatMap((group) => group.cameras.map((camera) => camera.id))).toEqual(['dk-07']);
    const village = cameras.find((camera) => camera.village)!.village!;
    const inVillage = pickerGroups(cameras, village);
    expect(inVillage.every((group) => group.cameras.every((camera) => camera.village === village || camera.name.includes(village)))).toBe(true);
    expect(pickerGroups(cameras, 'không có camera nào tên này')).toEqual([]);
    expect(matchesQuery(withMarks, `${withMarks.id} khong-co`)).toBe(false);
  });

  it('ticks and unticks a whole village, keeping the other choices and their order', () => {
    const groups = pickerGroups(cameras, '');
    const group = groups.find((candidate) => candidate.cameras.length >= 2)!;
    const other = groups.find((candidate) => candidate !== group)!.cameras[0]!.id;
    const first = group.cameras[0]!.id;
    expect(groupState(group, new Set([other]))).toBe('none');
    expect(groupState(group, new Set([first]))).toBe('some');
    const all = withGroup([other, first], group, true);
    expect(all[0]).toBe(other);
    expect(all.filter((id) => id === first)).toHaveLength(1);
    expect(groupState(group, new Set(all))).toBe('all');
    expect(withGroup(all, group, false)).toEqual([other]);
  });
});
