import type { CatalogEntry } from '../types';
import { aiServices } from './data/ai';
import { businessServices } from './data/business';
import { cloudServices } from './data/cloud';
import { crmServices } from './data/crm';
import { type Builtin, keyedEntry } from './data/define';
import { devtoolServices } from './data/devtools';
import { emailServices } from './data/email';
import { mediaServices } from './data/media';
import { messagingServices } from './data/messaging';
import { paymentServices } from './data/payments';
import { productivityServices } from './data/productivity';
import { supportServices } from './data/support';

const oauth2 = (
  entry: Omit<Builtin, 'authType' | 'paramType'> & Partial<Pick<Builtin, 'paramType'>>,
): Builtin => ({
  authType: 'OAUTH2',
  paramType: 'HEADERS',
  tokenEndpointAuthMethod: 'client_secret_post',
  ...entry,
});

/** OAuth 2.0 APIs grant does not list. No grantProvider: the flow runs them as generic OAuth 2.0. */
const oauth2Builtins: Builtin[] = [
  oauth2({
    slug: 'hubspot',
    displayName: 'HubSpot',
    authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
    accessTokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    apiBaseUrls: ['https://api.hubapi.com/'],
    scopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.companies.read',
      'crm.objects.deals.read',
      'tickets',
      'content',
      'forms',
    ],
    defaultScopes: ['oauth', 'crm.objects.contacts.read'],
    scopeDelimiter: ' ',
    testRequest: { method: 'GET', url: 'https://api.hubapi.com/crm/v3/objects/contacts?limit=1' },
    docsUrl: 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide',
  }),
  oauth2({
    slug: 'zoho',
    displayName: 'Zoho CRM',
    authorizeUrl: 'https://accounts.zoho.com/oauth/v2/auth',
    accessTokenUrl: 'https://accounts.zoho.com/oauth/v2/token',
    revokeUrl: 'https://accounts.zoho.com/oauth/v2/token/revoke',
    apiBaseUrls: ['https://www.zohoapis.com/'],
    scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.users.READ', 'ZohoCRM.settings.ALL', 'ZohoCRM.org.READ'],
    defaultScopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.users.READ'],
    scopeDelimiter: ',',
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    testRequest: { method: 'GET', url: 'https://www.zohoapis.com/crm/v2/users?type=CurrentUser' },
    docsUrl: 'https://www.zoho.com/crm/developer/docs/api/v2/oauth-overview.html',
  }),
  oauth2({
    slug: 'intercom',
    displayName: 'Intercom',
    authorizeUrl: 'https://app.intercom.com/oauth',
    accessTokenUrl: 'https://api.intercom.io/auth/eagle/token',
    apiBaseUrls: ['https://api.intercom.io/'],
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    profileUrl: 'https://api.intercom.io/me',
    testRequest: { method: 'GET', url: 'https://api.intercom.io/me' },
    docsUrl:
      'https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth',
  }),
  oauth2({
    slug: 'pipedrive',
    displayName: 'Pipedrive',
    authorizeUrl: 'https://oauth.pipedrive.com/oauth/authorize',
    accessTokenUrl: 'https://oauth.pipedrive.com/oauth/token',
    revokeUrl: 'https://oauth.pipedrive.com/oauth/revoke',
    tokenEndpointAuthMethod: 'client_secret_basic',
    apiBaseUrls: ['https://api.pipedrive.com/'],
    scopes: [
      'base',
      'deals:read',
      'deals:full',
      'contacts:read',
      'contacts:full',
      'activities:read',
      'users:read',
    ],
    defaultScopes: ['base'],
    scopeDelimiter: ' ',
    profileUrl: 'https://api.pipedrive.com/v1/users/me',
    testRequest: { method: 'GET', url: 'https://api.pipedrive.com/v1/users/me' },
    docsUrl: 'https://pipedrive.readme.io/docs/marketplace-oauth-authorization',
  }),
  oauth2({
    slug: 'airtable',
    displayName: 'Airtable',
    authorizeUrl: 'https://airtable.com/oauth2/v1/authorize',
    accessTokenUrl: 'https://airtable.com/oauth2/v1/token',
    tokenEndpointAuthMethod: 'client_secret_basic',
    apiBaseUrls: ['https://api.airtable.com/'],
    scopes: [
      'data.records:read',
      'data.records:write',
      'schema.bases:read',
      'schema.bases:write',
      'user.email:read',
      'webhook:manage',
    ],
    defaultScopes: ['data.records:read', 'schema.bases:read'],
    scopeDelimiter: ' ',
    profileUrl: 'https://api.airtable.com/v0/meta/whoami',
    testRequest: { method: 'GET', url: 'https://api.airtable.com/v0/meta/whoami' },
    docsUrl: 'https://airtable.com/developers/web/api/oauth-reference',
  }),
  oauth2({
    slug: 'calendly',
    displayName: 'Calendly',
    authorizeUrl: 'https://auth.calendly.com/oauth/authorize',
    accessTokenUrl: 'https://auth.calendly.com/oauth/token',
    revokeUrl: 'https://auth.calendly.com/oauth/revoke',
    apiBaseUrls: ['https://api.calendly.com/'],
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    profileUrl: 'https://api.calendly.com/users/me',
    testRequest: { method: 'GET', url: 'https://api.calendly.com/users/me' },
    docsUrl: 'https://developer.calendly.com/api-docs/ZG9jOjM2MzE2MDM4-getting-started-with-o-auth',
  }),
  oauth2({
    slug: 'linear',
    displayName: 'Linear',
    authorizeUrl: 'https://linear.app/oauth/authorize',
    accessTokenUrl: 'https://api.linear.app/oauth/token',
    revokeUrl: 'https://api.linear.app/oauth/revoke',
    apiBaseUrls: ['https://api.linear.app/'],
    scopes: ['read', 'write', 'issues:create', 'comments:create', 'admin'],
    defaultScopes: ['read'],
    scopeDelimiter: ',',
    docsUrl: 'https://developers.linear.app/docs/oauth/authentication',
  }),
  oauth2({
    slug: 'miro',
    displayName: 'Miro',
    authorizeUrl: 'https://miro.com/oauth/authorize',
    accessTokenUrl: 'https://api.miro.com/v1/oauth/token',
    apiBaseUrls: ['https://api.miro.com/'],
    scopes: ['boards:read', 'boards:write', 'identity:read', 'team:read'],
    defaultScopes: ['boards:read'],
    scopeDelimiter: ' ',
    docsUrl: 'https://developers.miro.com/docs/getting-started-with-oauth',
  }),
  oauth2({
    slug: 'monday',
    displayName: 'monday.com',
    authorizeUrl: 'https://auth.monday.com/oauth2/authorize',
    accessTokenUrl: 'https://auth.monday.com/oauth2/token',
    apiBaseUrls: ['https://api.monday.com/'],
    scopes: ['me:read', 'boards:read', 'boards:write', 'workspaces:read', 'users:read', 'updates:write'],
    defaultScopes: ['me:read', 'boards:read'],
    scopeDelimiter: ' ',
    docsUrl: 'https://developer.monday.com/apps/docs/oauth',
  }),
  oauth2({
    slug: 'webflow',
    displayName: 'Webflow',
    authorizeUrl: 'https://webflow.com/oauth/authorize',
    accessTokenUrl: 'https://api.webflow.com/oauth/access_token',
    apiBaseUrls: ['https://api.webflow.com/'],
    scopes: ['sites:read', 'sites:write', 'cms:read', 'cms:write', 'authorized_user:read'],
    defaultScopes: ['sites:read', 'authorized_user:read'],
    scopeDelimiter: ' ',
    testRequest: { method: 'GET', url: 'https://api.webflow.com/v2/token/authorized_by' },
    docsUrl: 'https://developers.webflow.com/data/reference/oauth-app',
  }),
];

/** API-key and Basic services, one data file per category. */
const keyedBuiltins: Builtin[] = [
  ...aiServices,
  ...paymentServices,
  ...messagingServices,
  ...emailServices,
  ...crmServices,
  ...supportServices,
  ...devtoolServices,
  ...cloudServices,
  ...productivityServices,
  ...mediaServices,
  ...businessServices,
].map(keyedEntry);

export const builtinEntries: readonly CatalogEntry[] = [...oauth2Builtins, ...keyedBuiltins].map((entry) => ({
  ...entry,
  source: 'builtin' as const,
}));
