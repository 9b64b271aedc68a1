import { describe, expect, it } from 'vitest';
import { formatBytes, formatDecimal, pathPieces } from '../../renderer/util/format';

// The tile's statistics wrote "15.4" frames per second where every other Vietnamese screen writes "76,5".
describe('numbers as people read them', () => {
  it('one decimal: a comma in Vietnamese, a point in English, always one digit', () => {
    expect(formatDecimal(15.44, 'vi')).toBe('15,4');
    expect(formatDecimal(15, 'vi')).toBe('15,0');
    expect(formatDecimal(15.44, 'en')).toBe('15.4');
    expect(formatDecimal(0, 'en')).toBe('0.0');
  });

  it('sizes: a comma in Vietnamese, whole numbers from 100 up', () => {
    expect(formatBytes(12.3 * 1024 ** 3, 'vi')).toBe('12,3 GB');
    expect(formatBytes(12.3 * 1024 ** 3, 'en')).toBe('12.3 GB');
    expect(formatBytes(512, 'vi')).toBe('512 B');
  });

  // the export log broke folder names mid-word (issue 18): line breaks only after separators
  it('cuts an export folder name after its separators only, losing nothing', () => {
    const name = '2026-12-05_081500_Vu-viec-7-2026_dk-01';
    const pieces = pathPieces(name);
    expect(pieces.join('')).toBe(name);
    expect(pieces).toEqual(['2026-', '12-', '05_', '081500_', 'Vu-', 'viec-', '7-', '2026_', 'dk-', '01']);
    expect(pathPieces('/media/usb/Trích xuất')).toEqual(['/', 'media/', 'usb/', 'Trích ', 'xuất']);
    expect(pathPieces('')).toEqual([]);
  });
});
