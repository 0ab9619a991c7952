/**
 * The activity log in people's words: one line per audit event from its kind, action and metadata (never the
 * storage format "GET host/path -> 404"), identical consecutive events folded into one line with a count,
 * and the filters as the API takes them.
 */
export type ActivityKind = 'AUTHORIZATION' | 'INVOCATION' | 'CHANGE';
export type ActivityOutcome = 'SUCCESS' | 'FAILURE';

export interface ActivityEvent {
  id: string;
  action: string;
  kind: ActivityKind;
  outcome: ActivityOutcome | null;
  message: string;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  actor: { id: string; email: string; displayName: string } | null;
}

export interface ActivityLine {
  title: string;
  /** The server's own message when it adds something to the title; null otherwise. */
  detail: string | null;
  tone: 'good' | 'bad' | 'warn' | 'plain';
}

export interface ActivityEntry extends ActivityLine {
  /** The newest event of the run (the one shown). */
  event: ActivityEvent;
  /** How many identical events in a row this line stands for (1: just this one). */
  count: number;
  /** The oldest event's time in the run. */
  since: string;
}

export interface ActivityFilter {
  kind: ActivityKind | null;
  outcome: ActivityOutcome | null;
  actorId: string | null;
}

export const KIND_OPTIONS: { value: ActivityKind | null; label: string }[] = [
  { value: null, label: 'All' },
  { value: 'AUTHORIZATION', label: 'Authorizations' },
  { value: 'INVOCATION', label: 'Calls' },
  { value: 'CHANGE', label: 'Changes' },
];
export const OUTCOME_OPTIONS: { value: ActivityOutcome | null; label: string }[] = [
  { value: null, label: 'Any outcome' },
  { value: 'SUCCESS', label: 'Succeeded' },
  { value: 'FAILURE', label: 'Failed' },
];

/** The API's filter for a connection's log. */
export function activityFilter(connectionId: string, f: ActivityFilter) {
  return {
    connectionId,
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.actorId ? { actorId: f.actorId } : {}),
  };
}

/** Why a call did not get an answer, by the code it was refused with. */
const REFUSALS: Record<string, string> = {
  NEEDS_AUTHORIZATION: 'not sent: the connection is not authorized for this user',
  HOST_NOT_ALLOWED: 'not sent: the address is not allowed',
  BAD_USER_INPUT: 'not sent: the request was not valid',
  FORBIDDEN: 'not sent: not allowed for this user',
  RATE_LIMITED: 'not sent: too many calls',
  REFRESH_FAILED: 'not sent: the access token could not be refreshed',
  UPSTREAM_TIMEOUT: 'the service did not answer in time',
  UPSTREAM_UNAVAILABLE: 'the service could not be reached',
  RESPONSE_TOO_LARGE: 'the answer was over the size limit',
  PAYLOAD_TOO_LARGE: 'not sent: the request body was over the size limit',
  ABORTED: 'the caller went away before the answer was read',
  ERROR: 'failed',
};

const AUTHORIZATION_TITLES: Record<string, [string, ActivityLine['tone']]> = {
  AUTHORIZED: ['Authorized', 'good'],
  REAUTHORIZED: ['Reconnected', 'good'],
  REFRESHED: ['Access token refreshed', 'good'],
  REFRESH_FAILED: ['Refreshing the access token failed', 'bad'],
  NEEDS_REAUTH: ['Needs to be reconnected', 'bad'],
  DENIED: ['Access was denied', 'bad'],
  FAILED: ['Authorization failed', 'bad'],
  SCOPES_MISSING: ['Granted fewer scopes than asked', 'warn'],
  REVOKED: ['Authorization revoked', 'warn'],
  DELETED: ['Deleted with its authorizations', 'warn'],
  ACCOUNT_CHANGED: ['Now uses another upstream account', 'warn'],
};

const CHANGE_TITLES: Record<string, string> = {
  'connection.created': 'Connection created',
  'connection.updated': 'Connection changed',
  'connection.deleted': 'Connection deleted',
  'connection.expired': 'Removed: its first authorization never finished',
  'connection.owner_changed': 'Owner changed',
};

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** The call as the caller wrote it: method and path (older rows may name a placeholder host "invalid"). */
function callTarget(m: Record<string, unknown>): string {
  const method = str(m.method) || 'Call';
  const path = str(m.path) || '/';
  return `${method} ${path}`;
}

function invocationLine(e: ActivityEvent): ActivityLine {
  const m = e.metadata ?? {};
  const target = callTarget(m);
  const status = str(m.status);
  const ms = typeof m.durationMs === 'number' ? ` in ${m.durationMs} ms` : '';
  if (/^\d{3}$/.test(status)) {
    const ok = e.outcome !== 'FAILURE';
    // An attempt of a call with `retry` that was tried again (the call's own row follows it).
    const retried = m.outcome === 'RETRIED' ? `, attempt ${str(m.attempt)}, retried` : '';
    return { title: `${target}: HTTP ${status}${ms}${retried}`, detail: null, tone: ok ? 'plain' : 'bad' };
  }
  const code = str(m.outcome) || status || 'ERROR';
  const why = REFUSALS[code] ?? `failed (${code})`;
  return { title: `${target}: ${why}`, detail: null, tone: 'bad' };
}

export function activityLine(e: ActivityEvent): ActivityLine {
  if (e.kind === 'INVOCATION') return invocationLine(e);
  if (e.kind === 'AUTHORIZATION') {
    const [title, tone] = AUTHORIZATION_TITLES[e.action.replace(/^authorization\./, '')] ?? [
      e.message,
      'plain',
    ];
    return { title, detail: title === e.message ? null : e.message, tone };
  }
  const title = CHANGE_TITLES[e.action];
  const tone = e.outcome === 'FAILURE' ? 'bad' : e.action.endsWith('.deleted') ? 'warn' : 'plain';
  return title ? { title, detail: e.message, tone } : { title: e.message, detail: null, tone };
}

/**
 * Lines for a page of events, newest first: a run of events that would read the same (same action, words,
 * outcome and actor, one after the other) is one line, "× n", from the oldest to the newest time.
 */
export function activityEntries(events: readonly ActivityEvent[]): ActivityEntry[] {
  const out: ActivityEntry[] = [];
  for (const event of events) {
    const line = activityLine(event);
    const last = out[out.length - 1];
    if (
      last &&
      last.event.action === event.action &&
      last.title === line.title &&
      last.detail === line.detail &&
      last.event.outcome === event.outcome &&
      last.event.actor?.id === event.actor?.id
    ) {
      last.count += 1;
      last.since = event.createdAt;
      continue;
    }
    out.push({ ...line, event, count: 1, since: event.createdAt });
  }
  return out;
}

/** Pages appended in order, each event once (a refetched first page may overlap what is already shown). */
export function appendPage<T extends { id: string }>(shown: readonly T[], page: readonly T[]): T[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.filter((e) => !seen.has(e.id))];
}
