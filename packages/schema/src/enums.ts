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
/** How a connection the viewer can see relates to them (access.ts decides it). */
export enum ConnectionRelation {
  OWN = 'OWN',
  SHARED = 'SHARED',
  OWNER_CREDENTIALS = 'OWNER_CREDENTIALS',
  AVAILABLE = 'AVAILABLE',
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
  description:
    'OWN: connections I own, including my own not-finished ones. SHARED: connections of others that I use: ' +
    "login-user ones I authorized (relation SHARED) and owner-credential ones I may call with their owner's " +
    'authorization (relation OWNER_CREDENTIALS). ALL: every connection I may see (for admins, the whole ' +
    "workspace except other users' not-finished connections).",
});
registerEnumType(ConnectionRelation, {
  name: 'ConnectionRelation',
  description: 'How a connection relates to the viewer.',
  valuesConfig: {
    OWN: { description: 'The viewer owns it.' },
    SHARED: { description: "Another owner's login-user connection that the viewer has authorized." },
    OWNER_CREDENTIALS: {
      description:
        "Another owner's owner-credential connection the viewer may use: calls run with the owner's " +
        'authorization, which only the owner and admins can (re)authorize.',
    },
    AVAILABLE: {
      description:
        "Another owner's login-user connection the viewer has not authorized yet (connect to use it).",
    },
  },
});
registerEnumType(ConnectionStatus, { name: 'ConnectionStatus' });
