type Pending<V> = { keys: Set<string>; result: Promise<Map<string, V>> };

const batches = new WeakMap<object, Map<string, Pending<unknown>>>();

/**
 * Collects the keys a field resolver asks for while graphql-js resolves a list (every item's field is
 * started before any of them is awaited) and loads them with one call: the cost of a field stays one
 * statement per request, whatever the page size. Batches belong to the request (`scope`, its context), so
 * viewers never share results. The load runs on the next macrotask, after the list's resolvers have all
 * been called (each may take a few microtask hops through type-graphql first).
 */
export function loadBatched<V>(
  scope: object,
  name: string,
  key: string,
  load: (keys: string[]) => Promise<Map<string, V>>,
): Promise<V | undefined> {
  let perScope = batches.get(scope);
  if (!perScope) batches.set(scope, (perScope = new Map()));
  let pending = perScope.get(name) as Pending<V> | undefined;
  if (!pending) {
    const keys = new Set<string>();
    const result = new Promise<Map<string, V>>((resolve, reject) =>
      setImmediate(() => {
        // Keys asked for after this point start a new batch.
        perScope.delete(name);
        load([...keys]).then(resolve, reject);
      }),
    );
    pending = { keys, result };
    perScope.set(name, pending as Pending<unknown>);
  }
  pending.keys.add(key);
  return pending.result.then((m) => m.get(key));
}
