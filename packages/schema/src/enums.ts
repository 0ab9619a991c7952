import { registerEnumType } from 'type-graphql';

export enum Role {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}
export enum ServiceKind {
  DEFAULT = 'DEFAULT',
  CUSTOM = 'CUSTOM',
}
export enum AuthType {
  OAUTH2 = 'OAUTH2',
  OAUTH1 = 'OAUTH1',
  BASIC = 'BASIC',
  API_KEY = 'API_KEY',
}
export enum ParamType {
  HEADERS = 'HEADERS',
  QUERY_STRING = 'QUERY_STRING',
  FORM_DATA = 'FORM_DATA',
}
export enum ConnectionScope {
  OWN = 'OWN',
  SHARED = 'SHARED',
  ALL = 'ALL',
}
/** The status of the authorization that would be used for the viewer, or NOT_CONNECTED. */
export enum ConnectionStatus {
  NOT_CONNECTED = 'NOT_CONNECTED',
  PENDING = 'PENDING',
  CONNECTED = 'CONNECTED',
  REFRESHING = 'REFRESHING',
  REFRESH_FAILED = 'REFRESH_FAILED',
  NEEDS_REAUTH = 'NEEDS_REAUTH',
  REVOKED = 'REVOKED',
  DENIED = 'DENIED',
  FAILED = 'FAILED',
}

registerEnumType(Role, { name: 'Role', description: 'A member role in a workspace.' });
registerEnumType(ServiceKind, {
  name: 'ServiceKind',
  description: 'DEFAULT services come from the catalog; CUSTOM ones are defined in the workspace.',
});
registerEnumType(AuthType, { name: 'AuthType' });
registerEnumType(ParamType, {
  name: 'ParamType',
  description: 'Where credentials travel on an outgoing request.',
});
registerEnumType(ConnectionScope, {
  name: 'ConnectionScope',
  description: 'OWN: connections I own. SHARED: login-user connections of others that I authorized.',
});
registerEnumType(ConnectionStatus, { name: 'ConnectionStatus' });
