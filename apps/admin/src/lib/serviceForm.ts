import type {
  AuthType,
  OAuth2GrantType,
  ParamType,
  ServiceDetailFragment,
  TokenEndpointAuthMethod,
} from '../generated/graphql';
import { formatAuthorizeParams, parseAuthorizeParams } from './oauthOptions';
import { fieldRules } from './serviceFieldRules';
import { tokenParamRows, tokenParamsProblem, type TokenParamRow } from './tokenParams';

/**
 * The custom-service form's rules by auth type: which fields show, which are required, what they are
 * called. They mirror the API's validation (apps/api/src/domain/service-validation.ts) so most mistakes are
 * caught as you type; the API's BAD_USER_INPUT errors (with `extensions.field`) land on the same fields.
 */
export const SERVICE_FIELDS = [
  'name',
  'authType',
  'grantType',
  'paramType',
  'requestTokenUrl',
  'authorizeUrl',
  'accessTokenUrl',
  'refreshUrl',
  'revokeUrl',
  'profileUrl',
  'clientId',
  'clientSecret',
  'scopes',
  'scopeDelimiter',
  'authorizeParams',
  'tokenEndpointAuthMethod',
  'pkce',
  'tokenParams',
  'apiKeyParamName',
  'apiBaseUrls',
] as const;
export type ServiceField = (typeof SERVICE_FIELDS)[number];

export interface FieldRule {
  visible: boolean;
  required: boolean;
  label: string;
  help?: string;
}

export interface CustomServiceDraft {
  name: string;
  authType: AuthType;
  /** OAUTH2: where its tokens come from; CLIENT_CREDENTIALS has no browser step. Fixed once created. */
  grantType: OAuth2GrantType;
  paramType: ParamType;
  requestTokenUrl: string;
  authorizeUrl: string;
  accessTokenUrl: string;
  refreshUrl: string;
  revokeUrl: string;
  profileUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  scopeDelimiter: string;
  /** OAuth: extra authorize parameters, one name=value per line (oauthOptions.ts). */
  authorizeParams: string;
  /** OAUTH2: '' leaves the default (client_secret_post). */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod | '';
  /** OAUTH2: PKCE on (the default) or off. */
  pkce: boolean;
  /** OAUTH2 client credentials: extra token-request parameters (audience, resource), as name/value rows. */
  tokenParams: TokenParamRow[];
  apiKeyParamName: string;
  /** One URL per line. */
  apiBaseUrls: string;
}

export type FormMode = 'create' | 'edit';
export type FieldErrors = Partial<Record<ServiceField, string>>;

export const AUTH_TYPES: { value: AuthType; label: string; description: string }[] = [
  { value: 'OAUTH2', label: 'OAuth 2.0', description: 'Users sign in at the provider and grant scopes.' },
  { value: 'OAUTH1', label: 'OAuth 1.0a', description: 'Signed requests with a consumer key and secret.' },
  { value: 'BASIC', label: 'Basic', description: 'A user name and password in the Authorization header.' },
  { value: 'API_KEY', label: 'API key', description: 'A key sent as a header, query or form parameter.' },
];

export const PARAM_TYPES: { value: ParamType; label: string }[] = [
  { value: 'HEADERS', label: 'Headers' },
  { value: 'QUERY_STRING', label: 'Query string' },
  { value: 'FORM_DATA', label: 'Form data' },
];

export const GRANT_TYPES: { value: OAuth2GrantType; label: string; description: string }[] = [
  {
    value: 'AUTHORIZATION_CODE',
    label: 'Authorization code',
    description: 'A user signs in at the provider in a popup and grants scopes.',
  },
  {
    value: 'CLIENT_CREDENTIALS',
    label: 'Client credentials',
    description: 'Machine to machine: this server requests tokens with the client id and secret, no browser.',
  },
];

export const SCOPE_DELIMITERS = [
  { value: ' ', label: 'Space' },
  { value: ',', label: 'Comma' },
  { value: '+', label: 'Plus' },
  { value: ';', label: 'Semicolon' },
];

export { fieldRules, isOAuth } from './serviceFieldRules';

export function authTypeLabel(t: AuthType): string {
  return AUTH_TYPES.find((a) => a.value === t)?.label ?? t;
}

export function emptyDraft(authType: AuthType = 'OAUTH2'): CustomServiceDraft {
  return {
    name: '',
    authType,
    grantType: 'AUTHORIZATION_CODE',
    paramType: 'HEADERS',
    requestTokenUrl: '',
    authorizeUrl: '',
    accessTokenUrl: '',
    refreshUrl: '',
    revokeUrl: '',
    profileUrl: '',
    clientId: '',
    clientSecret: '',
    scopes: [],
    scopeDelimiter: ' ',
    authorizeParams: '',
    tokenEndpointAuthMethod: '',
    pkce: true,
    tokenParams: [],
    apiKeyParamName: '',
    apiBaseUrls: '',
  };
}

export function draftFromService(s: ServiceDetailFragment): CustomServiceDraft {
  return {
    name: s.name,
    authType: s.authType,
    grantType: s.grantType ?? 'AUTHORIZATION_CODE',
    paramType: s.paramType,
    requestTokenUrl: s.requestTokenUrl ?? '',
    authorizeUrl: s.authorizeUrl ?? '',
    accessTokenUrl: s.accessTokenUrl ?? '',
    refreshUrl: s.refreshUrl ?? '',
    revokeUrl: s.revokeUrl ?? '',
    profileUrl: s.profileUrl ?? '',
    clientId: s.clientId ?? '',
    clientSecret: '',
    scopes: [...s.scopes],
    scopeDelimiter: s.scopeDelimiter,
    authorizeParams: formatAuthorizeParams(s.authorizeParams),
    tokenEndpointAuthMethod: s.tokenEndpointAuthMethod ?? '',
    pkce: s.pkce,
    tokenParams: tokenParamRows(s.tokenParams),
    apiKeyParamName: s.apiKeyParamName ?? '',
    apiBaseUrls: s.apiBaseUrls.join('\n'),
  };
}

export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter an absolute URL starting with https:// or http://.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Use an http or https URL.';
  if (url.username || url.password) return 'Leave the user name and password out of the URL.';
  if (url.hash) return 'Leave the #fragment out of the URL.';
  return null;
}

export const URL_FIELDS = [
  'requestTokenUrl',
  'authorizeUrl',
  'accessTokenUrl',
  'refreshUrl',
  'revokeUrl',
  'profileUrl',
] as const;

/** Client-side checks that mirror the API's; returns a message per field that needs one. */
export function validateDraft(
  d: CustomServiceDraft,
  mode: FormMode = 'create',
  hasClientSecret = false,
): FieldErrors {
  const rules = fieldRules(d.authType, mode, hasClientSecret, d.grantType);
  const errors: FieldErrors = {};
  const name = d.name.trim();
  if (!name) errors.name = 'Enter a name.';
  else if (name.length > 80) errors.name = 'At most 80 characters.';
  for (const key of URL_FIELDS) {
    if (!rules[key].visible) continue;
    const value = d[key].trim();
    if (!value) {
      if (rules[key].required) errors[key] = `Required for ${authTypeLabel(d.authType)} services.`;
    } else {
      const problem = urlProblem(value);
      if (problem) errors[key] = problem;
    }
  }
  if (rules.clientId.required && !d.clientId.trim()) errors.clientId = `Enter the ${rules.clientId.label}.`;
  if (rules.clientSecret.required && !d.clientSecret.trim())
    errors.clientSecret = `Enter the ${rules.clientSecret.label.toLowerCase()}.`;
  if (rules.apiKeyParamName.visible) {
    const p = d.apiKeyParamName.trim();
    if (!p) errors.apiKeyParamName = 'Enter the parameter name the API expects.';
    else if (!/^[A-Za-z0-9_.\-[\]]{1,128}$/.test(p))
      errors.apiKeyParamName = 'Letters, digits and _ . - [ ] only, at most 128.';
  }
  if (rules.scopes.visible) {
    const bad = d.scopes.find(
      (s) => /\s/.test(s) || (d.scopeDelimiter.trim() && s.includes(d.scopeDelimiter)),
    );
    if (bad) errors.scopes = `"${bad}" must not contain spaces or the scope delimiter.`;
  }
  if (rules.authorizeParams.visible) {
    const { error } = parseAuthorizeParams(d.authorizeParams);
    if (error) errors.authorizeParams = error;
  }
  if (rules.tokenParams.visible) {
    const problem = tokenParamsProblem(d.tokenParams);
    if (problem) errors.tokenParams = problem;
  }
  const bases = splitLines(d.apiBaseUrls);
  if (bases.length === 0) errors.apiBaseUrls = 'Add at least one URL: requests may only reach these hosts.';
  else {
    const bad = bases.map(urlProblem).find(Boolean);
    if (bad) errors.apiBaseUrls = bad;
  }
  return errors;
}

/** The form field an API error names: `apiBaseUrls[1]` is the API base URLs box, `input.name` is the name. */
export function fieldOfApiError(field: string | null | undefined): ServiceField | null {
  if (!field) return null;
  // `apiBaseUrls[1]` and `authorizeParams.prompt` are their boxes.
  const head = field.replace(/^input\./, '').replace(/(\[\d+\]|\.).*$/, '');
  return (SERVICE_FIELDS as readonly string[]).includes(head) ? (head as ServiceField) : null;
}

// The API inputs built from a draft live beside: imported from here, as before.
export { toCreateInput, toUpdateInput } from './serviceInput';
