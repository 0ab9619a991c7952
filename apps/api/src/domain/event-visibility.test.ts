import type { DataSource } from 'typeorm';
import { InMemoryInvalidator } from '../cluster/in-memory-invalidator';
import type { ConnectionVisibility } from './access';
import { type AuthorizationEventPayload, canSeeEvent } from './authorization-events';
import { EventVisibility } from './event-visibility';
import type { Viewer } from './viewer';

const WS = 'ws-1';
const viewer = (userId: string, role: 'ADMIN' | 'MEMBER' = 'MEMBER'): Viewer => ({
  userId,
  workspaceId: WS,
  role,
  authMethod: 'API_TOKEN',
  user: { id: userId, email: `${userId}@example.com`, displayName: userId },
});
const event = (over: Partial<AuthorizationEventPayload> = {}): AuthorizationEventPayload => ({
  id: 'e1',
  type: 'REAUTHORIZED' as AuthorizationEventPayload['type'],
  workspaceId: WS,
  connectionId: 'c1',
  extensionId: null,
  linkName: 'crm',
  ownerId: 'owner',
  principal: { id: 'owner', email: 'owner@example.com', displayName: 'owner' },
  actorId: 'owner',
  status: 'CONNECTED',
  attemptId: null,
  at: new Date(),
  message: 'm',
  seq: 1,
  cursor: 'x',
  ...over,
});
const row = (over: Partial<ConnectionVisibility> = {}): ConnectionVisibility => ({
  ownerId: 'owner',
  useLoginUserCredentials: false,
  restrictedTo: null,
  establishedAt: new Date(),
  ...over,
});

describe('canSeeEvent', () => {
  test("a member sees the owner's authorization events of an owner-credential connection they may use", () => {
    expect(canSeeEvent(viewer('m'), event(), row())).toBe(true);
    expect(canSeeEvent(viewer('m'), event(), row({ restrictedTo: ['m'] }))).toBe(true);
  });

  test('a member taken off the restriction, or facing a not-finished connection, sees none of its events', () => {
    expect(canSeeEvent(viewer('m'), event(), row({ restrictedTo: ['n'] }))).toBe(false);
    // Not even those they caused or that name them: the connection is not theirs to see any more.
    expect(canSeeEvent(viewer('m'), event({ actorId: 'm' }), row({ restrictedTo: [] }))).toBe(false);
    expect(canSeeEvent(viewer('m'), event(), row({ establishedAt: null }))).toBe(false);
    expect(canSeeEvent(viewer('owner'), event(), row({ establishedAt: null, restrictedTo: [] }))).toBe(true);
  });

  test("another user's authorization of a login-user connection stays that user's business", () => {
    const theirs = event({ principal: { id: 'n', email: 'n@x', displayName: 'n' }, actorId: 'n' });
    expect(canSeeEvent(viewer('owner'), theirs, row({ useLoginUserCredentials: true }))).toBe(false);
    expect(canSeeEvent(viewer('n'), theirs, row({ useLoginUserCredentials: true }))).toBe(true);
    // On an owner-credential connection only the owner's authorization is the one calls use.
    expect(canSeeEvent(viewer('m'), theirs, row())).toBe(false);
  });

  test('a deleted connection: its principal and actor only; admins everything in their workspace only', () => {
    expect(canSeeEvent(viewer('m'), event(), null)).toBe(false);
    expect(canSeeEvent(viewer('owner'), event(), null)).toBe(true);
    expect(canSeeEvent(viewer('admin', 'ADMIN'), event(), null)).toBe(true);
    expect(canSeeEvent(viewer('admin', 'ADMIN'), event({ workspaceId: 'other' }), null)).toBe(false);
  });
});

describe('EventVisibility', () => {
  function setup(initial: ConnectionVisibility | null) {
    let current = initial;
    const findOne = jest.fn(async () => current && { id: 'c1', ...current });
    const ds = { getRepository: () => ({ findOne }) } as unknown as DataSource;
    const invalidator = new InMemoryInvalidator();
    return {
      visibility: new EventVisibility(ds, invalidator),
      findOne,
      invalidator,
      set: (next: ConnectionVisibility | null) => (current = next),
    };
  }

  test('one lookup for many subscribers; none for admins', async () => {
    const { visibility, findOne } = setup(row());
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => visibility.canSee(viewer(`m${i}`), event())),
    );
    expect(answers.every(Boolean)).toBe(true);
    expect(findOne).toHaveBeenCalledTimes(1);
    expect(visibility.canSee(viewer('m99'), event())).toBe(true); // from the cache, synchronously
    expect(visibility.canSee(viewer('a', 'ADMIN'), event({ connectionId: 'c2' }))).toBe(true);
    expect(findOne).toHaveBeenCalledTimes(1);
  });

  test('a connection change announced on the invalidation port is seen by the next event', async () => {
    const { visibility, findOne, invalidator, set } = setup(row());
    expect(await visibility.canSee(viewer('m'), event())).toBe(true);
    set(row({ restrictedTo: ['n'] }));
    invalidator.invalidate('connection', 'c1');
    expect(await visibility.canSee(viewer('m'), event())).toBe(false);
    expect(findOne).toHaveBeenCalledTimes(2);
  });

  test('a not-finished row is read again each time: its first success announces nothing', async () => {
    const { visibility, findOne, set } = setup(row({ establishedAt: null }));
    expect(await visibility.canSee(viewer('m'), event())).toBe(false);
    set(row());
    expect(await visibility.canSee(viewer('m'), event())).toBe(true);
    expect(findOne).toHaveBeenCalledTimes(2);
  });
});
