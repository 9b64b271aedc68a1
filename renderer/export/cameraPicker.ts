import type { CameraSummary } from '../../common/contract';
import { foldVietnamese } from '../../common/text';

/** One village's cameras in the export's camera picker (null: cameras the site gives no village). */
export interface PickerGroup {
  village: string | null;
  cameras: CameraSummary[];
}

/** Every word of the query (marks and case folded) is in the camera's name, id or village. */
export function matchesQuery(camera: CameraSummary, query: string): boolean {
  const words = foldVietnamese(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = foldVietnamese(`${camera.name} ${camera.id} ${camera.village ?? ''}`);
  return words.every((word) => text.includes(word));
}

/**
 * The picker's list: cameras matching the query, grouped by village in Vietnamese order of the
 * village's name (cameras without one last), each group in the site file's order.
 */
export function pickerGroups(cameras: readonly CameraSummary[], query: string): PickerGroup[] {
  const groups = new Map<string | null, CameraSummary[]>();
  for (const camera of cameras) {
    if (!matchesQuery(camera, query)) continue;
    const village = camera.village?.trim() || null;
    groups.set(village, [...(groups.get(village) ?? []), camera]);
  }
  const collator = new Intl.Collator('vi');
  return [...groups].map(([village, members]) => ({ village, cameras: members })).sort((a, b) => (a.village === null ? 1 : b.village === null ? -1 : collator.compare(a.village, b.village)));
}

/** A group's tick: all of its cameras chosen, some, or none. */
export function groupState(group: PickerGroup, chosen: ReadonlySet<string>): 'all' | 'some' | 'none' {
  const count = group.cameras.filter((camera) => chosen.has(camera.id)).length;
  return count === 0 ? 'none' : count === group.cameras.length ? 'all' : 'some';
}

/** The selection after ticking (`on`) or unticking a whole group: other cameras stay as they were, order kept. */
export function withGroup(selected: readonly string[], group: PickerGroup, on: boolean): string[] {
  const ids = new Set(group.cameras.map((camera) => camera.id));
  const rest = selected.filter((id) => !ids.has(id));
  return on ? [...rest, ...group.cameras.map((camera) => camera.id)] : rest;
}
