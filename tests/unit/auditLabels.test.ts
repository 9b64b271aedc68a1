import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../common/authContract';
import { translate } from '../../common/i18n';
import { actionVi, auditCsv } from '../../main/core/security/auditReport';

// The audit page, its CSV and its PDF showed action codes ("ptzPresetGoto") to an inspector who reads Vietnamese.
describe('audit action names', () => {
  it('every audit action has its own words in Vietnamese and English, never the code', () => {
    for (const action of AUDIT_ACTIONS) {
      const vi = translate('vi', `auth.audit.actions.${action}`);
      const en = translate('en', `auth.audit.actions.${action}`);
      expect(vi, action).not.toBe(`auth.audit.actions.${action}`);
      expect(en, action).not.toBe(`auth.audit.actions.${action}`);
      expect(vi, action).not.toBe(action);
      expect(actionVi(action)).toBe(vi);
    }
    const names = AUDIT_ACTIONS.map((action) => translate('vi', `auth.audit.actions.${action}`));
    expect(new Set(names).size).toBe(names.length);
  });

  it('the CSV for an inspector names the action in Vietnamese beside its code; an unknown code stays as it is', () => {
    const row = { seq: 7, atMs: Date.UTC(2026, 11, 5, 1, 2, 3), actor: 'quan', action: 'ptzPresetGoto', cameraId: 'dk-01', detail: '{}', prevHash: 'a', contentHash: 'b', rowHash: 'c' };
    const text = auditCsv([row, { ...row, seq: 8, action: 'futureAction' }], 'Asia/Ho_Chi_Minh').toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[1]).toContain('Tới điểm đặt trước,ptzPresetGoto');
    expect(lines[1]).toContain('08:02:03');
    expect(lines[1]).toContain('05/12/2026');
    expect(lines[2]).toContain('futureAction,futureAction');
  });
});
