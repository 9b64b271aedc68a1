import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { messages } from '../../common/i18n';
import { durationText } from '../../renderer/components/duration';

async function translator(language: 'vi' | 'en') {
  const instance = i18next.createInstance();
  await instance.init({ lng: language, resources: { vi: { translation: messages.vi }, en: { translation: messages.en } }, interpolation: { escapeValue: false } });
  return instance.t;
}

describe('durations say their plural (regression: English said "1 days")', () => {
  it('English: 1 day, 2 days, 1 hour, 1 minute, 1.5 days', async () => {
    const t = await translator('en');
    expect(durationText(t, 'en-GB', 1)).toBe('1 day');
    expect(durationText(t, 'en-GB', 2)).toBe('2 days');
    expect(durationText(t, 'en-GB', 1.5)).toBe('1.5 days');
    expect(durationText(t, 'en-GB', 1 / 24)).toBe('1 hour');
    expect(durationText(t, 'en-GB', 1 / 1440)).toBe('1 minute');
    expect(durationText(t, 'en-GB', 30 / 1440)).toBe('30 minutes');
  });

  it('Vietnamese has one form, with the decimal comma', async () => {
    const t = await translator('vi');
    expect(durationText(t, 'vi-VN', 1)).toBe('1 ngày');
    expect(durationText(t, 'vi-VN', 2.5)).toBe('2,5 ngày');
  });
});
