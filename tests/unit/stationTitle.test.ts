import { describe, expect, it } from 'vitest';
import { translate } from '../../common/i18n';
import { stationTitle } from '../../renderer/components/TopBar';

// The top bar read "Công an xã Công an xã Đông Khê" for a site file whose name already named the police.
describe('the station title in the top bar', () => {
  const vi = (key: string, vars: Record<string, string>) => translate('vi', key, vars);
  const en = (key: string, vars: Record<string, string>) => translate('en', key, vars);
  it('names the commune police once, whichever way the site file writes the name', () => {
    expect(stationTitle('Đông Khê', vi)).toBe('Công an xã Đông Khê');
    expect(stationTitle('Công an xã Đông Khê', vi)).toBe('Công an xã Đông Khê');
    expect(stationTitle('CÔNG AN XÃ Đông Khê', vi)).toBe('CÔNG AN XÃ Đông Khê');
    expect(stationTitle('Đông Khê', en)).toBe('Đông Khê commune police');
    expect(stationTitle('Dong Khe commune police', en)).toBe('Dong Khe commune police');
    expect(stationTitle('Công Thành', vi)).toBe('Công an xã Công Thành');
  });
});
