import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentView, useConsole } from '../store';
import { useRuntime } from '../runtime';
import { Icon } from './Icon';
import { Modal } from './Modal';

/** Named views: restore one, save the current wall under a name, delete one. Kept by the core. */
export function ViewsMenu() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const savedViews = useConsole((state) => state.savedViews);
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const store = useConsole.getState;

  async function refresh(): Promise<void> {
    const result = await client.call('listSavedViews', {});
    if (result.ok) store().setSavedViews(result.value);
  }

  async function save(): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed) return;
    const result = await client.call('saveView', { view: currentView(trimmed) });
    if (result.ok) {
      store().toast('info', t('views.saved', { name: trimmed }));
      setSaving(false);
      setName('');
      await refresh();
    } else {
      store().toast('error', t(`errors.${result.error.code}`));
    }
  }

  async function remove(viewName: string): Promise<void> {
    const result = await client.call('deleteView', { name: viewName });
    if (result.ok) store().toast('info', t('views.deleted', { name: viewName }));
    await refresh();
  }

  return (
    <div className="menu">
      <button
        type="button"
        className={open ? 'tool tool-active' : 'tool'}
        aria-expanded={open}
        data-testid="views-menu"
        onClick={() => {
          setOpen(!open);
          if (!open) void refresh();
        }}
      >
        {t('views.title')}
      </button>
      {open && (
        <div className="menu-popover" role="menu">
          {savedViews.length === 0 && <p className="menu-empty">{t('views.none')}</p>}
          {savedViews.map((view) => (
            <div key={view.name} className="menu-row">
              <button
                type="button"
                role="menuitem"
                className="menu-item"
                data-view-name={view.name}
                onClick={() => {
                  store().applyView(view);
                  setOpen(false);
                }}
              >
                {view.name}
              </button>
              <button type="button" className="menu-icon" title={t('views.delete', { name: view.name })} aria-label={t('views.delete', { name: view.name })} onClick={() => void remove(view.name)}>
                <Icon name="trash" size={14} />
              </button>
            </div>
          ))}
          <button
            type="button"
            role="menuitem"
            className="menu-item menu-item-save"
            onClick={() => {
              setSaving(true);
              setOpen(false);
            }}
          >
            <Icon name="save" size={14} /> {t('views.save')}
          </button>
        </div>
      )}
      {saving && (
        <Modal title={t('views.saveTitle')} onClose={() => setSaving(false)}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <label className="field">
              <span>{t('views.name')}</span>
              <input value={name} maxLength={80} placeholder={t('views.namePlaceholder')} onChange={(event) => setName(event.target.value)} data-testid="view-name" />
            </label>
            <div className="modal-actions">
              <button type="button" className="tool" onClick={() => setSaving(false)}>
                {t('dialog.cancel')}
              </button>
              <button type="submit" className="tool tool-active" disabled={!name.trim()} data-testid="view-save">
                {t('dialog.save')}
              </button>
            </div>
          </form>
        </Modal>
      )}
    </div>
  );
}
