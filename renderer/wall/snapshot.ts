import i18next from 'i18next';
import type { CoreClient } from '../transport/coreClient';
import type { StreamKind } from '../../common/site';
import { useConsole } from '../store';

/** Takes a snapshot through the core and says where it went. */
export async function takeSnapshot(client: CoreClient, cameraId: string, stream: StreamKind): Promise<void> {
  const result = await client.call('takeSnapshot', { cameraId, stream });
  const store = useConsole.getState();
  if (result.ok) store.toast('info', i18next.t('snapshot.saved', { file: result.value.fileName }), result.value.fileName);
  else store.toast('error', i18next.t('snapshot.failed', { reason: i18next.t(`errors.${result.error.code}`) }));
}
