import { describe, expect, it } from 'vitest';
import { translate } from '../../common/i18n';
import { whyNotReady } from '../../renderer/export/readiness';

// The export page's Start button was disabled with no word of why (issue 18: empty range, reversed range, no footage).
describe('why the export cannot start yet', () => {
  const zone = 'Asia/Ho_Chi_Minh';
  const ready = { from: '05/12/2026 08:00:00', to: '05/12/2026 08:05:00', cameraIds: ['dk-01'], destination: '/media/usb' };
  const fits = { fits: true, totalBytes: 1000 };

  it('names the first thing the clerk must do, in order, and nothing when Start is offered', () => {
    expect(whyNotReady({ ...ready, cameraIds: [] }, zone, fits)).toBe('noCameras');
    expect(whyNotReady({ ...ready, from: '' }, zone, fits)).toBe('badFrom');
    expect(whyNotReady({ ...ready, to: '32/12/2026 08:00:00' }, zone, fits)).toBe('badTo');
    expect(whyNotReady({ ...ready, to: '05/12/2026 07:59:59' }, zone, fits)).toBe('reversed');
    expect(whyNotReady({ ...ready, to: ready.from }, zone, fits)).toBe('reversed');
    expect(whyNotReady({ ...ready, destination: '' }, zone, fits)).toBe('noDestination');
    expect(whyNotReady(ready, zone, null)).toBe('estimating');
    expect(whyNotReady(ready, zone, { fits: true, totalBytes: 0 })).toBe('noFootage');
    expect(whyNotReady(ready, zone, { fits: false, totalBytes: 5 })).toBe('doesNotFit');
    expect(whyNotReady(ready, zone, fits)).toBeNull();
    expect(whyNotReady(ready, zone, { fits: null, totalBytes: 5 })).toBeNull();
  });

  it('every reason has a sentence in Vietnamese and in English', () => {
    for (const key of ['noCameras', 'badFrom', 'badTo', 'reversed', 'noDestination', 'estimating', 'noFootage', 'doesNotFit']) {
      expect(translate('vi', `exportClip.why.${key}`)).not.toBe(`exportClip.why.${key}`);
      expect(translate('en', `exportClip.why.${key}`)).not.toBe(`exportClip.why.${key}`);
    }
    expect(translate('vi', 'exportClip.why.reversed')).toBe('Thời điểm "Đến" phải sau thời điểm "Từ".');
  });
});
