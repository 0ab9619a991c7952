import { computed, ref } from 'vue';
import { api, resetApiClient, setUnauthenticatedHandler } from '../client';
import {
  SignInDocument,
  SignOutDocument,
  ViewerDocument,
  type ViewerFieldsFragment,
} from '../generated/graphql';
import { describeError, type DescribedError } from '../lib/errors';

const viewer = ref<ViewerFieldsFragment | null>(null);
const loaded = ref(false);
/** Why the last session ended: the user signed out here, or the server stopped accepting it. */
const endedBy = ref<'sign-out' | 'expired' | null>(null);
let loading: Promise<ViewerFieldsFragment | null> | null = null;

/** Who is signed in; read once per page load (the router guard waits for it) and after sign-in. */
export function useSession() {
  return {
    viewer,
    loaded,
    endedBy,
    isAdmin: computed(() => viewer.value?.role === 'ADMIN'),
    load,
    signIn,
    signOut,
  };
}

async function load(force = false): Promise<ViewerFieldsFragment | null> {
  if (loaded.value && !force) return viewer.value;
  loading ??= api.value.urql
    .query(ViewerDocument, {}, { requestPolicy: 'network-only' })
    .toPromise()
    .then((r) => {
      if (r.error && !r.error.graphQLErrors.length) throw r.error;
      viewer.value = r.data?.viewer ?? null;
      loaded.value = true;
      return viewer.value;
    })
    .finally(() => (loading = null));
  return loading;
}

async function signIn(email: string, password: string): Promise<DescribedError | null> {
  const r = await api.value.urql.mutation(SignInDocument, { input: { email, password } }).toPromise();
  if (r.error || !r.data) return describeError(r.error);
  resetApiClient();
  viewer.value = r.data.signIn;
  loaded.value = true;
  return null;
}

async function signOut(): Promise<void> {
  // The server closes every socket of the session it ends: let this one go first, on our terms.
  void api.value.ws.dispose();
  await api.value.urql.mutation(SignOutDocument, {}).toPromise();
  endedBy.value = 'sign-out';
  viewer.value = null;
  resetApiClient();
}

/** Called when any operation answers UNAUTHENTICATED: the session ended elsewhere (expired, signed out). */
export function sessionEnded(): void {
  if (!viewer.value) return;
  endedBy.value = 'expired';
  viewer.value = null;
  resetApiClient();
}

setUnauthenticatedHandler(sessionEnded);
