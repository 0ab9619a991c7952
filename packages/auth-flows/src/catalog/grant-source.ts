import oauthJson from 'grant/config/oauth.json';
import profileJson from 'grant/config/profile.json';
import { SUBDOMAIN_PLACEHOLDER, type CatalogEntry } from '../types';
import { displayNameFor } from './display-names';

/** One provider as grant ships it in `config/oauth.json`. */
export interface GrantOAuthProvider {
  oauth: 1 | 2;
  authorize_url: string;
  access_url: string;
  request_url?: string;
  scope_delimiter?: string;
  [key: string]: unknown;
}

// grant has no exports map, so its data files are reachable by path. The versions are pinned exactly,
// and the catalog test fails loudly if the shape or the count changes under an upgrade.
export const grantOAuthConfig = oauthJson as unknown as Readonly<Record<string, GrantOAuthProvider>>;
const grantProfiles = profileJson as Readonly<Record<string, { profile_url?: string }>>;

export function grantProfileUrl(name: string): string | undefined {
  return grantProfiles[name]?.profile_url;
}

function hasPlaceholder(...urls: (string | undefined)[]): boolean {
  return urls.some((url) => url?.includes(SUBDOMAIN_PLACEHOLDER));
}

/**
 * grant knows only the authorization endpoints. The best guess for the API host is the origin of the
 * profile endpoint grant calls after authorization: that is an API call made with the user's token.
 */
function apiBaseFromProfile(profileUrl: string | undefined): string[] {
  if (!profileUrl) return [];
  const match = /^(https?:\/\/[^/?#]+)/.exec(profileUrl);
  return match ? [`${match[1]}/`] : [];
}

/** A catalog entry from grant's data alone; overlays refine it. */
export function entryFromGrant(name: string, provider: GrantOAuthProvider): CatalogEntry {
  const profileUrl = grantProfileUrl(name);
  const isOAuth1 = provider.oauth === 1;
  const entry: CatalogEntry = {
    source: 'grant',
    slug: name,
    displayName: displayNameFor(name),
    authType: isOAuth1 ? 'OAUTH1' : 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: provider.authorize_url,
    accessTokenUrl: provider.access_url,
    scopes: [],
    defaultScopes: [],
    // grant joins scopes with ',' unless a provider says otherwise; its data marks the providers that
    // need a space, so the fallback keeps grant's tested behaviour.
    scopeDelimiter: provider.scope_delimiter ?? ',',
    apiBaseUrls: apiBaseFromProfile(profileUrl),
    grantProvider: name,
  };
  if (isOAuth1) {
    entry.requestTokenUrl = provider.request_url;
    entry.oauth1SignatureMethod = 'HMAC-SHA1';
  } else {
    entry.tokenEndpointAuthMethod = 'client_secret_post';
  }
  if (profileUrl) entry.profileUrl = profileUrl;
  if (hasPlaceholder(provider.authorize_url, provider.access_url, provider.request_url, profileUrl)) {
    entry.subdomain = true;
  }
  return entry;
}
