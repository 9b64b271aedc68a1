import type { FeaturePage } from '../featureTypes';
import { AuditPage } from './AuditPage';

/** The administrator's audit page (Nhật ký): the hash-chained audit trail, its check, CSV/PDF for an inspector, and the accounts. */
export const auditPage: FeaturePage = { id: 'audit', ready: true, Component: AuditPage };
