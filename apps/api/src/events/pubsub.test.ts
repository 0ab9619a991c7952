import { getMaxListeners } from 'node:events';
import type { AuthorizationEventPayload } from '../domain/authorization-events';
import { createEventBus } from './pubsub';

const event = (id: string) => ({ id, type: 'AUTHORIZED', workspaceId: 'w' }) as AuthorizationEventPayload;

test('many subscribers each get every event', async () => {
  const bus = createEventBus();
  const subscriptions = Array.from({ length: 50 }, () => bus.subscribe('AUTHORIZATION_EVENT'));
  // A repeater listens from its first next() on: start them all, then publish.
  const firsts = subscriptions.map((s) => s.next());
  await new Promise((resolve) => setImmediate(resolve));
  bus.publish('AUTHORIZATION_EVENT', event('e1'));
  const received = await Promise.all(firsts);
  expect(received.map((r) => (r.value as AuthorizationEventPayload).id)).toEqual(Array(50).fill('e1'));
  await Promise.all(subscriptions.map((s) => s.return(undefined)));
});

test('the in-process bus has no listener limit, so Node does not warn of a leak at the 11th subscriber', () => {
  // Node's warning goes to the real process, which Jest's sandbox does not expose: look at the limit itself.
  const created: EventTarget[] = [];
  const Original = globalThis.EventTarget;
  globalThis.EventTarget = class extends Original {
    constructor() {
      super();
      created.push(this);
    }
  };
  try {
    createEventBus();
  } finally {
    globalThis.EventTarget = Original;
  }
  expect(created).toHaveLength(1);
  expect(getMaxListeners(created[0]!)).toBe(Infinity);
});
