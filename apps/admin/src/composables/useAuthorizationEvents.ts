import { getCurrentScope, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { api } from '../client';
import {
  AuthorizationEventsDocument,
  type AuthorizationEventsSubscription,
  type ConnectionStatus,
} from '../generated/graphql';
import {
  applyEvent,
  emptyLiveStatus,
  isDeleted,
  liveStatusOf,
  type LiveStatusState,
  type StatusRow,
} from '../lib/connectionStatus';
import {
  initialResume,
  onConnected,
  onSubscriptionError,
  recordCursor,
  subscriptionVariables,
  type ResumePlan,
} from '../lib/eventResume';
import { useSession } from './useSession';

export type AuthorizationEvent = AuthorizationEventsSubscription['authorizationEvents'];
type Listener = (e: AuthorizationEvent) => void;

/**
 * One subscription to `authorizationEvents` for the whole console while someone is signed in: every
 * badge, the attempt progress and the audit timeline listen to it. Opened before any Create and Connect, so
 * an attempt's outcome cannot slip past between the mutation and a later, narrower subscription.
 */
const state = shallowRef<LiveStatusState>(emptyLiveStatus());
const listeners = new Set<Listener>();
const reconnectListeners = new Set<() => void>();
const live = ref(false);
let started = false;

export function startAuthorizationEvents(): void {
  if (started) return;
  started = true;
  const { viewer } = useSession();
  let stop: (() => void) | null = null;
  let offSocket: (() => void)[] = [];
  watch(
    [() => viewer.value?.user.id, api],
    ([userId, client]) => {
      stop?.();
      offSocket.forEach((off) => off());
      stop = null;
      offSocket = [];
      state.value = emptyLiveStatus();
      live.value = false;
      if (!userId) return;
      let resume = initialResume();
      const subscribe = (plan: ResumePlan) => {
        stop?.();
        const sub = client.urql
          .subscription(AuthorizationEventsDocument, subscriptionVariables(plan))
          .subscribe((result) => {
            const expired = result.error && onSubscriptionError(resume, result.error.graphQLErrors);
            if (expired) return follow(expired);
            const e = result.data?.authorizationEvents;
            if (!e) return;
            resume = recordCursor(resume, e);
            const next = applyEvent(state.value, e);
            // A replay may overlap what was already heard: each event reaches listeners once.
            if (next === state.value) return;
            state.value = next;
            listeners.forEach((l) => l(e));
          });
        stop = () => sub.unsubscribe();
      };
      const follow = ([next, plan]: [typeof resume, ResumePlan]) => {
        resume = next;
        if (plan.action === 'none') return;
        // Subscribe again from the last cursor: the API replays what was missed, with no gap and no duplicate.
        subscribe(plan);
        // Nothing to resume from (no event yet, or the cursor expired): whoever shows data reads it again.
        if (plan.action === 'resync') reconnectListeners.forEach((l) => l());
      };
      offSocket = [
        client.ws.on('connected', () => {
          live.value = true;
          follow(onConnected(resume));
        }),
        client.ws.on('closed', () => (live.value = false)),
      ];
      subscribe({ action: 'none' });
    },
    { immediate: true },
  );
}

/** Live statuses, and a way to hear each event from a component (removed when the component goes). */
export function useAuthorizationEvents() {
  const { viewer } = useSession();
  const onEvent = (listener: Listener) => {
    listeners.add(listener);
    const off = () => listeners.delete(listener);
    if (getCurrentScope()) onScopeDispose(off);
    return off;
  };
  const onReconnect = (listener: () => void) => {
    reconnectListeners.add(listener);
    if (getCurrentScope()) onScopeDispose(() => reconnectListeners.delete(listener));
  };
  const statusOf = (row: StatusRow): ConnectionStatus =>
    viewer.value ? liveStatusOf(row, viewer.value.user.id, state.value) : row.status;
  const deleted = (connectionId: string) => isDeleted(state.value, connectionId);
  return { state, live, onEvent, onReconnect, statusOf, deleted };
}
