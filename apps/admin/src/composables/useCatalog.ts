import { ref, shallowRef, watch } from 'vue';
import { api } from '../client';
import { ServicesDocument, type ServiceSummaryFragment } from '../generated/graphql';
import { describeError, type DescribedError } from '../lib/errors';

/**
 * The whole catalog plus the workspace's custom services, read once per session (a few pages of 100) so the
 * grid filters instantly on every keystroke; `refresh` after a custom service is created, changed or removed.
 */
const services = shallowRef<ServiceSummaryFragment[]>([]);
const loading = ref(false);
const error = ref<DescribedError | null>(null);
let loaded: Promise<void> | null = null;

watch(api, () => {
  services.value = [];
  loaded = null;
});

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

export function useCatalog() {
  loaded ??= loadAll();
  return {
    services,
    loading,
    error,
    refresh: () => (loaded = loadAll()),
  };
}
