import type { FeaturePage } from '../featureTypes';
import { lazyPart } from '../components/lazyPart';

// Off the wall's path: its own file, loaded when the page is first opened.
const DevicesPage = lazyPart(() => import('./DevicesPage').then((module) => module.DevicesPage));

/** The devices page of the top bar (Thiết bị): scan, add ONVIF or RTSP cameras, import an NVR. */
export const devicesPage: FeaturePage = { id: 'devices', ready: true, Component: DevicesPage };
