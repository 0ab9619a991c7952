/**
 * Where the console's authorization-event subscription resumes after its socket reconnects. The API replays
 * every stored event after a cursor, then continues live, with no gap and no duplicate at the seam: so the
 * subscription keeps the last cursor it received and, on a reconnect, subscribes again `after` it instead of
 * having every page refetch. Only when there is nothing to resume from (no event received yet, or the cursor
 * fell out of retention: CURSOR_EXPIRED) do the pages reload what they show.
 */
export interface ResumeState {
  /** The cursor of the last event received; null before the first one. */
  cursor: string | null;
  /** Whether the socket connected before: the first connection is not a reconnect. */
  connectedOnce: boolean;
}

export type ResumePlan =
  /** Nothing to do: the first connection, whose subscription is already on its way. */
  | { action: 'none' }
  /** Subscribe again with `after`: the API replays what was missed. */
  | { action: 'resume'; after: string }
  /** Nothing to resume from: subscribe again without `after` and have pages reload what they show. */
  | { action: 'resync' };

export const initialResume = (): ResumeState => ({ cursor: null, connectedOnce: false });

/** Keeps the cursor of an event just received. */
export function recordCursor(state: ResumeState, event: { cursor: string }): ResumeState {
  return event.cursor && event.cursor !== state.cursor ? { ...state, cursor: event.cursor } : state;
}

/** What to do when the socket (re)connects. */
export function onConnected(state: ResumeState): [ResumeState, ResumePlan] {
  if (!state.connectedOnce) return [{ ...state, connectedOnce: true }, { action: 'none' }];
  return [state, state.cursor ? { action: 'resume', after: state.cursor } : { action: 'resync' }];
}

/**
 * What to do when the subscription ends with errors. CURSOR_EXPIRED: the events after the cursor are gone,
 * so forget it and resync; anything else is not a resume problem (null: leave it to the caller).
 */
export function onSubscriptionError(
  state: ResumeState,
  errors: readonly { extensions?: Record<string, unknown> }[],
): [ResumeState, ResumePlan] | null {
  if (!errors.some((e) => e.extensions?.code === 'CURSOR_EXPIRED')) return null;
  return [{ ...state, cursor: null }, { action: 'resync' }];
}

/** The subscription's variables for a plan: `after` only when resuming. */
export function subscriptionVariables(plan: ResumePlan): { after?: string } {
  return plan.action === 'resume' ? { after: plan.after } : {};
}
