import type { CreateCustomServiceInput, UpdateServiceInput } from '../generated/graphql';
import {
  type CustomServiceDraft,
  fieldRules,
  type ServiceField,
  splitLines,
  type URL_FIELDS,
} from './serviceForm';

/** The create input with only the fields that apply to the chosen auth type. */
export function toCreateInput(d: CustomServiceDraft): CreateCustomServiceInput {
  const rules = fieldRules(d.authType, 'create');
  const opt = (key: ServiceField & keyof CustomServiceDraft) => {
    const v = d[key];
    return rules[key].visible && typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  return {
    name: d.name.trim(),
    authType: d.authType,
    paramType: d.authType === 'BASIC' ? 'HEADERS' : d.paramType,
    requestTokenUrl: opt('requestTokenUrl'),
    authorizeUrl: opt('authorizeUrl'),
    accessTokenUrl: opt('accessTokenUrl'),
    refreshUrl: opt('refreshUrl'),
    revokeUrl: opt('revokeUrl'),
    profileUrl: opt('profileUrl'),
    clientId: opt('clientId'),
    clientSecret: rules.clientSecret.visible && d.clientSecret ? d.clientSecret : undefined,
    scopes: rules.scopes.visible ? d.scopes : undefined,
    scopeDelimiter: rules.scopeDelimiter.visible ? d.scopeDelimiter : undefined,
    apiKeyParamName: opt('apiKeyParamName'),
    apiBaseUrls: splitLines(d.apiBaseUrls),
  };
}

/** The update input: every field the auth type shows (empty clears it); an empty secret keeps the stored one. */
export function toUpdateInput(id: string, d: CustomServiceDraft): UpdateServiceInput {
  const rules = fieldRules(d.authType, 'edit', true);
  const text = (key: (typeof URL_FIELDS)[number] | 'clientId' | 'apiKeyParamName') =>
    rules[key].visible ? d[key].trim() : undefined;
  return {
    id,
    name: d.name.trim(),
    paramType: d.authType === 'BASIC' ? undefined : d.paramType,
    requestTokenUrl: text('requestTokenUrl'),
    authorizeUrl: text('authorizeUrl'),
    accessTokenUrl: text('accessTokenUrl'),
    refreshUrl: text('refreshUrl'),
    revokeUrl: text('revokeUrl'),
    profileUrl: text('profileUrl'),
    clientId: text('clientId'),
    clientSecret: rules.clientSecret.visible && d.clientSecret ? d.clientSecret : undefined,
    scopes: rules.scopes.visible ? d.scopes : undefined,
    scopeDelimiter: rules.scopeDelimiter.visible ? d.scopeDelimiter : undefined,
    apiKeyParamName: text('apiKeyParamName'),
    apiBaseUrls: splitLines(d.apiBaseUrls),
  };
}
