import { onScopeDispose, ref, shallowRef } from 'vue';
import { api } from '../client';
import {
  ConnectDocument,
  CreateAndConnectDocument,
  type ConnectResultFieldsFragment,
  type CreateAndConnectInput,
  type CredentialsInput,
} from '../generated/graphql';
import { attemptReducer, initialAttempt, type AttemptAction } from '../lib/attemptProgress';
import { popupClosedReason } from '../lib/deployment';
import { describeError, type CombinedErrorLike, type DescribedError } from '../lib/errors';
import { type ConnectTarget, needsBrowser } from '../lib/grant';
import { useAuthorizationEvents } from './useAuthorizationEvents';

const POPUP_NAME = 'connections-authorize';
const POPUP_FEATURES = 'popup,width=620,height=760';

interface PopupMessage {
  type: 'connections:authorization';
  attemptId?: string;
  connectionId?: string;
  status: string;
  message?: string;
}

const isPopupMessage = (d: unknown): d is PopupMessage =>
  !!d && typeof d === 'object' && (d as { type?: unknown }).type === 'connections:authorization';

/**
 * Create and Connect / Reconnect. OAuth: a blank popup is opened in the click itself (a popup opened after
 * an await is blocked by browsers), then pointed at the authorize URL once the mutation answers; a blocked
 * popup falls back to a redirect in this tab (the callback then lands on /connections/:id). The outcome comes
 * from whichever arrives first: the popup's postMessage or the authorization event of the attempt.
 * BASIC / API_KEY, and OAuth 2.0 client credentials (the server requests the token itself): no popup, the
 * mutation's answer is final.
 */
export function useAuthorize() {
  const state = ref(initialAttempt());
  const error = ref<DescribedError | null>(null);
  const result = ref<ConnectResultFieldsFragment | null>(null);
  /** The last failed mutation's error as the API sent it, for forms that put field errors in place. */
  const rawError = shallowRef<CombinedErrorLike | undefined>();
  const dispatch = (a: AttemptAction) => (state.value = attemptReducer(state.value, a));
  let popup: Window | null = null;
  let watchPopup: ReturnType<typeof setInterval> | undefined;

  const { onEvent } = useAuthorizationEvents();
  onEvent((e) => {
    if (state.value.attemptId && e.attemptId === state.value.attemptId)
      dispatch({ type: 'outcome', attemptId: e.attemptId, status: e.status, message: e.message });
  });

  const onMessage = (ev: MessageEvent) => {
    if (ev.origin !== window.location.origin || !isPopupMessage(ev.data)) return;
    dispatch({
      type: 'outcome',
      attemptId: ev.data.attemptId ?? null,
      status: ev.data.status,
      message: ev.data.message,
    });
    stopWatchingPopup();
  };
  window.addEventListener('message', onMessage);

  function stopWatchingPopup() {
    if (watchPopup) clearInterval(watchPopup);
    watchPopup = undefined;
  }
  onScopeDispose(() => {
    window.removeEventListener('message', onMessage);
    stopWatchingPopup();
  });

  function openBlankPopup(): Window | null {
    const w = window.open('', POPUP_NAME, POPUP_FEATURES);
    if (w) {
      try {
        w.document.title = 'Connecting…';
        // Styled through the DOM: the blank popup inherits the console's Content-Security-Policy, which
        // refuses style attributes written in markup.
        const p = w.document.createElement('p');
        p.textContent = 'Starting the authorization…';
        p.style.cssText = 'font:16px system-ui,sans-serif;margin:3rem;color:#444';
        w.document.body.replaceChildren(p);
      } catch {
        // A reused window on another origin: it is about to navigate anyway.
      }
    }
    return w;
  }

  async function run(
    target: ConnectTarget,
    mutate: () => Promise<{ data?: ConnectResultFieldsFragment; error?: CombinedErrorLike }>,
  ): Promise<ConnectResultFieldsFragment | null> {
    error.value = null;
    rawError.value = undefined;
    result.value = null;
    dispatch({ type: 'start' });
    popup = needsBrowser(target) ? openBlankPopup() : null;
    const r = await mutate();
    if (r.error || !r.data) {
      popup?.close();
      rawError.value = r.error;
      error.value = describeError(r.error);
      dispatch({ type: 'error', message: error.value?.message ?? 'The authorization could not start.' });
      return null;
    }
    result.value = r.data;
    const { authorizeUrl, attemptId, connection } = r.data;
    if (!authorizeUrl) {
      // Nothing to show in a browser (a caller that did not say the service needs none): no blank window left.
      popup?.close();
      popup = null;
      dispatch({ type: 'connected-inline', connectionId: connection.id });
      return r.data;
    }
    if (popup && !popup.closed) {
      popup.location.href = authorizeUrl;
      dispatch({ type: 'started', attemptId, connectionId: connection.id, popup: true });
      stopWatchingPopup();
      // Only the window itself is watched here (is it still open?), never the API: the outcome is pushed.
      watchPopup = setInterval(() => {
        if (popup?.closed) {
          stopWatchingPopup();
          // postMessage is delivered before the window closes; give it a moment to be handled. The popup posts
          // to PUBLIC_URL's origin only: a console opened elsewhere never hears it, and is told why.
          const reason = popupClosedReason(authorizeUrl, window.location.origin);
          setTimeout(() => dispatch({ type: 'popup-closed', reason }), 400);
        }
      }, 500);
    } else {
      dispatch({ type: 'started', attemptId, connectionId: connection.id, popup: false });
      dispatch({ type: 'redirect' });
      window.location.assign(authorizeUrl);
    }
    return r.data;
  }

  /** Must be called from the click handler itself (see above). */
  function createAndConnect(target: ConnectTarget, input: CreateAndConnectInput) {
    return run(target, async () => {
      const r = await api.value.urql.mutation(CreateAndConnectDocument, { input }).toPromise();
      return { data: r.data?.createAndConnect, error: r.error };
    });
  }

  function reconnect(target: ConnectTarget, connectionId: string, credentials?: CredentialsInput) {
    return run(target, async () => {
      const r = await api.value.urql.mutation(ConnectDocument, { connectionId, credentials }).toPromise();
      return { data: r.data?.connect, error: r.error };
    });
  }

  function focusPopup() {
    popup?.focus();
  }

  return {
    state,
    error,
    rawError,
    result,
    createAndConnect,
    reconnect,
    focusPopup,
    reset: () => dispatch({ type: 'reset' }),
  };
}
