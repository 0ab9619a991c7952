import { ref, shallowRef, watch } from 'vue';
import { api } from '../client';
import {
  RecentConnectionsDocument,
  ServicesDocument,
  type ServiceSummaryFragment,
} from '../generated/graphql';
import { recentServiceSlugs } from '../lib/catalog';
import { describeError, type DescribedError } from '../lib/errors';

/**
 * The whole catalog plus the workspace's custom services, read once per session (a few pages of 100) so the
 * grid filters instantly on every keystroke; `refresh` after a custom service is created, changed or removed.
 */
const services = shallowRef<ServiceSummaryFragment[]>([]);
/** Slugs of the services the workspace's connections use, most recent first ("Recently used"). */
const recent = shallowRef<string[]>([]);
const loading = ref(false);
const error = ref<DescribedError | null>(null);
let loaded: Promise<void> | null = null;

watch(api, () => {
  services.value = [];
  recent.value = [];
  loaded = null;
});

/** Best effort: without it the grid simply has no "Recently used" section. */
async function loadRecent(): Promise<void> {
  const r = await api.value.urql
    .query(RecentConnectionsDocument, {}, { requestPolicy: 'network-only' })
    .toPromise();
  recent.value = r.data ? recentServiceSlugs(r.data.connections.nodes) : [];
}

async function loadAll(): Promise<void> {
  loading.value = true;
  error.value = null;
  const all: ServiceSummaryFragment[] = [];
  let after: string | null = null;
  try {
    for (;;) {
      const r = await api.value.urql
        .query(ServicesDocument, { first: 100, after }, { requestPolicy: 'network-only' })
        .toPromise();
      if (r.error || !r.data) {
        error.value = describeError(r.error);
        loaded = null;
        return;
      }
      all.push(...r.data.services.nodes);
      if (!r.data.services.pageInfo.hasNextPage) break;
      after = r.data.services.pageInfo.endCursor;
    }
    services.value = all;
  } finally {
    loading.value = false;
  }
}

function load(): Promise<void> {
  return Promise.all([loadAll(), loadRecent()]).then(() => undefined);
}

export function useCatalog() {
  loaded ??= load();
  return {
    services,
    recent,
    loading,
    error,
    refresh: () => (loaded = load()),
    /** The workspace's connections change more often than the catalog: re-read them when the grid opens. */
    refreshRecent: () => loadRecent(),
  };
}
