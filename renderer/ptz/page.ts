import type { FeaturePage } from '../pages';
import { DevicesPage } from './DevicesPage';

/** The devices page of the top bar (Thiết bị): scan, add ONVIF or RTSP cameras, import an NVR. */
export const devicesPage: FeaturePage = { id: 'devices', ready: true, Component: DevicesPage };
