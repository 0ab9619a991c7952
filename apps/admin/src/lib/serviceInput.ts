import type { CreateCustomServiceInput, UpdateServiceInput } from '../generated/graphql';
import { parseAuthorizeParams } from './oauthOptions';
import { tokenParamsMap } from './tokenParams';
import {
  type CustomServiceDraft,
  fieldRules,
  type ServiceField,
  splitLines,
  type URL_FIELDS,
} from './serviceForm';

/** The create input with only the fields that apply to the chosen auth type. */
export function toCreateInput(d: CustomServiceDraft): CreateCustomServiceInput {
  const rules = fieldRules(d.authType, 'create', false, d.grantType);
  const opt = (key: ServiceField & keyof CustomServiceDraft) => {
    const v = d[key];
    return rules[key].visible && typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  return {
    name: d.name.trim(),
    authType: d.authType,
    // The default grant is left out: only OAuth 2.0 takes one.
    grantType: rules.grantType.visible && d.grantType !== 'AUTHORIZATION_CODE' ? d.grantType : undefined,
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
    ...oauthOptions(d, rules, 'create'),
    apiKeyParamName: opt('apiKeyParamName'),
    apiBaseUrls: splitLines(d.apiBaseUrls),
  };
}

/**
 * Authorize parameters, token endpoint authentication, PKCE and token parameters, when the auth type (and
 * grant) shows them. On create a default is left out; on update an empty value clears (null: no parameters,
 * the default method).
 */
function oauthOptions(
  d: CustomServiceDraft,
  rules: ReturnType<typeof fieldRules>,
  mode: 'create' | 'edit',
): Pick<CreateCustomServiceInput, 'authorizeParams' | 'tokenEndpointAuthMethod' | 'pkce' | 'tokenParams'> &
  Pick<UpdateServiceInput, 'authorizeParams' | 'tokenEndpointAuthMethod' | 'tokenParams'> {
  const clear = mode === 'edit' ? null : undefined;
  const params = parseAuthorizeParams(d.authorizeParams).params;
  const tokenParams = tokenParamsMap(d.tokenParams);
  return {
    authorizeParams: rules.authorizeParams.visible
      ? Object.keys(params).length
        ? params
        : clear
      : undefined,
    tokenEndpointAuthMethod: rules.tokenEndpointAuthMethod.visible
      ? d.tokenEndpointAuthMethod || clear
      : undefined,
    pkce: rules.pkce.visible && (mode === 'edit' || !d.pkce) ? d.pkce : undefined,
    tokenParams: rules.tokenParams.visible
      ? Object.keys(tokenParams).length
        ? tokenParams
        : clear
      : undefined,
  };
}

/** The update input: every field the auth type shows (empty clears it); an empty secret keeps the stored one. */
export function toUpdateInput(id: string, d: CustomServiceDraft): UpdateServiceInput {
  const rules = fieldRules(d.authType, 'edit', true, d.grantType);
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
    ...oauthOptions(d, rules, 'edit'),
    apiKeyParamName: text('apiKeyParamName'),
    apiBaseUrls: splitLines(d.apiBaseUrls),
  };
}
