import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSession } from './composables/useSession';

// Every page but sign-in is its own chunk: the first load carries the shell only.
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/connections' },
  {
    path: '/sign-in',
    name: 'sign-in',
    component: () => import('./pages/SignInPage.vue'),
    meta: { public: true },
  },
  { path: '/connections', name: 'connections', component: () => import('./pages/ConnectionsPage.vue') },
  {
    path: '/connections/new',
    name: 'add-connection',
    component: () => import('./pages/AddConnectionPage.vue'),
  },
  {
    path: '/connections/new/:slug',
    name: 'new-connection',
    component: () => import('./pages/NewConnectionPage.vue'),
    props: true,
  },
  // The OAuth callback sends a window without an opener here (see apps/api/src/http/oauth-routes.ts).
  {
    path: '/connections/:id',
    name: 'connection',
    component: () => import('./pages/ConnectionPage.vue'),
    props: true,
  },
  { path: '/services', name: 'services', component: () => import('./pages/ServicesPage.vue') },
  {
    path: '/services/new',
    name: 'new-service',
    component: () => import('./pages/ServiceEditPage.vue'),
    meta: { admin: true },
  },
  {
    path: '/services/:id/edit',
    name: 'edit-service',
    component: () => import('./pages/ServiceEditPage.vue'),
    props: true,
    meta: { admin: true },
  },
  { path: '/extensions', name: 'extensions', component: () => import('./pages/ExtensionsPage.vue') },
  {
    path: '/extensions/new',
    name: 'new-extension',
    component: () => import('./pages/NewExtensionPage.vue'),
    meta: { admin: true },
  },
  {
    path: '/extensions/:id',
    name: 'extension',
    component: () => import('./pages/ExtensionPage.vue'),
    props: true,
  },
  { path: '/tokens', name: 'tokens', component: () => import('./pages/TokensPage.vue') },
  { path: '/members', name: 'members', component: () => import('./pages/MembersPage.vue') },
  { path: '/webhooks', name: 'webhooks', component: () => import('./pages/WebhooksPage.vue') },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue') },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach(async (to) => {
  const { load } = useSession();
  let viewer;
  try {
    viewer = await load();
  } catch {
    // The server is unreachable: the shell shows it; let the page try and show its own error.
    return true;
  }
  if (to.meta.public) return viewer && to.name === 'sign-in' ? { path: safeNext(to.query.next) } : true;
  if (!viewer) return { name: 'sign-in', query: to.fullPath !== '/connections' ? { next: to.fullPath } : {} };
  // Admin-only forms: a member who follows a link lands on the list, which says what they can do there.
  if (to.meta.admin && viewer.role !== 'ADMIN')
    return { path: to.path.startsWith('/extensions') ? '/extensions' : '/services' };
  return true;
});

/** Only paths inside the console: never an open redirect to another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/connections';
}

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    admin?: boolean;
  }
}
