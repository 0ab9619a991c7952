import { ApiTokenRow } from './api-token';
import { AuditEventRow } from './audit-event';
import { AuthorizationRow } from './authorization';
import { AuthorizationEventRow } from './authorization-event';
import { AuthorizationAttemptRow } from './authorization-attempt';
import { ConnectionRow } from './connection';
import { ExtensionRow } from './extension';
import { MembershipRow } from './membership';
import { ServiceRow } from './service';
import { SessionRow } from './session';
import { SystemSettingRow } from './system-setting';
import { UserRow } from './user';
import { WebhookRow } from './webhook';
import { WebhookDeliveryRow } from './webhook-delivery';
import { WorkspaceRow } from './workspace';

export {
  ApiTokenRow,
  AuditEventRow,
  AuthorizationAttemptRow,
  AuthorizationEventRow,
  AuthorizationRow,
  ConnectionRow,
  ExtensionRow,
  MembershipRow,
  ServiceRow,
  SessionRow,
  SystemSettingRow,
  UserRow,
  WebhookDeliveryRow,
  WebhookRow,
  WorkspaceRow,
};

export const entities = [
  WorkspaceRow,
  UserRow,
  MembershipRow,
  SessionRow,
  ApiTokenRow,
  ServiceRow,
  ConnectionRow,
  AuthorizationRow,
  AuthorizationAttemptRow,
  ExtensionRow,
  AuditEventRow,
  AuthorizationEventRow,
  SystemSettingRow,
  WebhookRow,
  WebhookDeliveryRow,
];
