/**
 * API hosts for the grant providers that have no overlay and whose grant data names no profile URL to
 * derive one from: without a base URL every call through them would be refused. Each comes from the
 * provider's public API documentation (docsUrl). Several of these providers have retired or frozen their
 * public API since grant listed them; the host is still the one they documented, and the address policy
 * applies to every call as for any other service.
 */
export const grantApiHosts: Readonly<Record<string, { apiBaseUrls: string[]; docsUrl: string }>> = {
  apple: {
    apiBaseUrls: ['https://appleid.apple.com/'],
    docsUrl: 'https://developer.apple.com/documentation/sign_in_with_apple/sign_in_with_apple_rest_api',
  },
  getbase: {
    apiBaseUrls: ['https://api.getbase.com/'],
    docsUrl: 'https://developer.zendesk.com/api-reference/sales-crm/introduction/',
  },
  ebay: { apiBaseUrls: ['https://api.ebay.com/'], docsUrl: 'https://developer.ebay.com/develop/api' },
  ecwid: {
    apiBaseUrls: ['https://app.ecwid.com/api/v3/'],
    docsUrl: 'https://api-docs.ecwid.com/reference/overview',
  },
  formstack: {
    apiBaseUrls: ['https://www.formstack.com/api/v2/'],
    docsUrl: 'https://developers.formstack.com/reference/api-overview',
  },
  freeagent: { apiBaseUrls: ['https://api.freeagent.com/v2/'], docsUrl: 'https://dev.freeagent.com/docs' },
  freelancer: {
    apiBaseUrls: ['https://www.freelancer.com/api/'],
    docsUrl: 'https://developers.freelancer.com/docs',
  },
  garmin: {
    apiBaseUrls: ['https://apis.garmin.com/'],
    docsUrl: 'https://developer.garmin.com/gc-developer-program/health-api/',
  },
  geeklist: { apiBaseUrls: ['https://api.geekli.st/'], docsUrl: 'https://github.com/Geeklist/geeklist-api' },
  genius: { apiBaseUrls: ['https://api.genius.com/'], docsUrl: 'https://docs.genius.com/' },
  gitbook: {
    apiBaseUrls: ['https://api.gitbook.com/'],
    docsUrl: 'https://gitbook.com/docs/developers/gitbook-api',
  },
  groove: { apiBaseUrls: ['https://api.groovehq.com/'], docsUrl: 'https://www.groovehq.com/docs' },
  gumroad: { apiBaseUrls: ['https://api.gumroad.com/'], docsUrl: 'https://app.gumroad.com/api' },
  hellosign: { apiBaseUrls: ['https://api.hellosign.com/'], docsUrl: 'https://developers.hellosign.com/' },
  homeaway: {
    apiBaseUrls: ['https://ws.homeaway.com/'],
    docsUrl: 'https://www.homeaway.com/platform/api-documentation',
  },
  hootsuite: {
    apiBaseUrls: ['https://platform.hootsuite.com/'],
    docsUrl: 'https://developer.hootsuite.com/docs/api-overview',
  },
  huddle: { apiBaseUrls: ['https://api.huddle.net/'], docsUrl: 'https://github.com/Huddle/huddle-apis' },
  iconfinder: {
    apiBaseUrls: ['https://api.iconfinder.com/'],
    docsUrl: 'https://developer.iconfinder.com/reference/overview-1',
  },
  idme: { apiBaseUrls: ['https://api.id.me/'], docsUrl: 'https://developers.id.me/documentation' },
  idonethis: {
    apiBaseUrls: ['https://beta.idonethis.com/api/'],
    docsUrl: 'https://help.idonethis.com/hc/en-us/articles/360022633152-API',
  },
  infusionsoft: {
    apiBaseUrls: ['https://api.infusionsoft.com/crm/'],
    docsUrl: 'https://developer.infusionsoft.com/docs/restv2/',
  },
  jamendo: { apiBaseUrls: ['https://api.jamendo.com/'], docsUrl: 'https://developer.jamendo.com/v3.0' },
  jumplead: { apiBaseUrls: ['https://app.jumplead.com/api/'], docsUrl: 'https://jumplead.com/api' },
  livechat: {
    apiBaseUrls: ['https://api.livechatinc.com/'],
    docsUrl: 'https://platform.text.com/docs/management/configuration-api',
  },
  lyft: { apiBaseUrls: ['https://api.lyft.com/'], docsUrl: 'https://developer.lyft.com/docs' },
  mailup: {
    apiBaseUrls: ['https://services.mailup.com/API/'],
    docsUrl: 'https://help.mailup.com/display/mailupapi/REST+API',
  },
  mailxpert: { apiBaseUrls: ['https://api.mailxpert.ch/'], docsUrl: 'https://dev.mailxpert.ch/' },
  mastodon: {
    apiBaseUrls: ['https://[subdomain]/api/'],
    docsUrl: 'https://docs.joinmastodon.org/client/intro/',
  },
  medium: {
    apiBaseUrls: ['https://api.medium.com/'],
    docsUrl: 'https://github.com/Medium/medium-api-docs',
  },
  mention: { apiBaseUrls: ['https://api.mention.net/'], docsUrl: 'https://dev.mention.com/' },
  moxtra: { apiBaseUrls: ['https://api.moxtra.com/'], docsUrl: 'https://developer.moxtra.com/docs/' },
  myob: {
    apiBaseUrls: ['https://api.myob.com/'],
    docsUrl: 'https://developer.myob.com/api/myob-business-api/api-overview/',
  },
  nest: {
    apiBaseUrls: ['https://smartdevicemanagement.googleapis.com/', 'https://developer-api.nest.com/'],
    docsUrl: 'https://developers.google.com/nest/device-access/api',
  },
  nokotime: { apiBaseUrls: ['https://api.nokotime.com/'], docsUrl: 'https://developer.nokotime.com/' },
  nylas: {
    apiBaseUrls: ['https://api.us.nylas.com/', 'https://api.eu.nylas.com/', 'https://api.nylas.com/'],
    docsUrl: 'https://developer.nylas.com/docs/api/',
  },
  onelogin: {
    apiBaseUrls: ['https://[subdomain].onelogin.com/api/'],
    docsUrl: 'https://developers.onelogin.com/api-docs/2/getting-started/dev-overview',
  },
  optimizely: {
    apiBaseUrls: ['https://api.optimizely.com/'],
    docsUrl: 'https://library.optimizely.com/docs/api/app/v2/index.html',
  },
  pinterest: {
    apiBaseUrls: ['https://api.pinterest.com/'],
    docsUrl: 'https://developers.pinterest.com/docs/api/v5/',
  },
  producthunt: {
    apiBaseUrls: ['https://api.producthunt.com/'],
    docsUrl: 'https://api.producthunt.com/v2/docs',
  },
  projectplace2: {
    apiBaseUrls: ['https://api.projectplace.com/'],
    docsUrl: 'https://service.projectplace.com/apidocs/',
  },
  projectplace: {
    apiBaseUrls: ['https://api.projectplace.com/'],
    docsUrl: 'https://service.projectplace.com/apidocs/',
  },
  pushbullet: { apiBaseUrls: ['https://api.pushbullet.com/'], docsUrl: 'https://docs.pushbullet.com/' },
  ravelry: { apiBaseUrls: ['https://api.ravelry.com/'], docsUrl: 'https://www.ravelry.com/api' },
  sellsy: { apiBaseUrls: ['https://apifeed.sellsy.com/0/'], docsUrl: 'https://api.sellsy.com/doc/v1/' },
  smugmug: {
    apiBaseUrls: ['https://api.smugmug.com/api/v2/'],
    docsUrl: 'https://api.smugmug.com/api/v2/doc',
  },
  snowflake: {
    apiBaseUrls: ['https://[subdomain].snowflakecomputing.com/api/'],
    docsUrl: 'https://docs.snowflake.com/en/developer-guide/sql-api/index',
  },
  socialpilot: {
    apiBaseUrls: ['https://panel.socialpilot.co/'],
    docsUrl: 'https://www.socialpilot.co/help/article/socialpilot-api',
  },
  storyblok: {
    apiBaseUrls: ['https://mapi.storyblok.com/'],
    docsUrl: 'https://www.storyblok.com/docs/api/management',
  },
  surveysparrow: {
    apiBaseUrls: ['https://api.surveysparrow.com/'],
    docsUrl: 'https://developers.surveysparrow.com/',
  },
  ticketbud: { apiBaseUrls: ['https://api.ticketbud.com/'], docsUrl: 'https://api.ticketbud.com/' },
  timelyapp: { apiBaseUrls: ['https://api.timelyapp.com/'], docsUrl: 'https://dev.timelyapp.com/' },
  trustpilot: {
    apiBaseUrls: ['https://api.trustpilot.com/'],
    docsUrl: 'https://developers.trustpilot.com/authentication',
  },
  unsplash: { apiBaseUrls: ['https://api.unsplash.com/'], docsUrl: 'https://unsplash.com/documentation' },
  untappd: { apiBaseUrls: ['https://api.untappd.com/'], docsUrl: 'https://untappd.com/api/docs' },
  venmo: { apiBaseUrls: ['https://api.venmo.com/'], docsUrl: 'https://venmo.com/docs/overview' },
  verticalresponse: {
    apiBaseUrls: ['https://vrapi.verticalresponse.com/api/'],
    docsUrl: 'https://developer.verticalresponse.com/docs',
  },
  viadeo: { apiBaseUrls: ['https://api.viadeo.com/'], docsUrl: 'https://partners.viadeo.com/' },
  weekdone: { apiBaseUrls: ['https://api.weekdone.com/'], docsUrl: 'https://weekdone.com/developer/' },
};
