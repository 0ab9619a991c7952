import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getIntrospectionQuery,
  GraphQLError,
  Kind,
  parse,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

// Every field counts, introspection included: its types are recursive (`fields { type { fields ... } }`).
// Only `__typename` is free: a leaf that cannot nest, and clients' caches add it to every selection.
const weight = (f: FieldNode) => (f.name.value === '__typename' ? 0 : 1);

/**
 * The deepest path through a selection, fragments followed. Each fragment is measured once, so fragments
 * that spread the next one twice cost linear time, not exponential.
 */
function meter(document: DocumentNode) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measured = new Map<string, number>();
  const ofSet = (set: SelectionSetNode | undefined): number => {
    let deepest = 0;
    for (const sel of set?.selections ?? []) deepest = Math.max(deepest, ofSelection(sel));
    return deepest;
  };
  const ofSelection = (sel: SelectionNode): number => {
    if (sel.kind === Kind.FIELD) return weight(sel) + ofSet(sel.selectionSet);
    if (sel.kind === Kind.INLINE_FRAGMENT) return ofSet(sel.selectionSet);
    const name = sel.name.value;
    if (!measured.has(name)) {
      measured.set(name, 0); // a cycle (refused by NoFragmentCycles) adds nothing
      measured.set(name, ofSet(fragments.get(name)?.selectionSet));
    }
    return measured.get(name)!;
  };
  return ofSelection;
}

// The standard introspection query goes 15 levels deep, past the default limit of 10: introspection roots may
// go that deep so that tools keep working where introspection is on. What makes deep introspection costly is
// its cycle (`fields { type { fields ... } }`), and graphql-js's MaxIntrospectionDepthRule (in specifiedRules,
// over HTTP and WebSocket alike) refuses more than three of those lists nested.
const INTROSPECTION_DEPTH = (() => {
  const doc = parse(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, oneOf: true }));
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
  return meter(doc)(op.selectionSet.selections[0]!);
})();

/** A validation rule that refuses operations nested deeper than `max` fields (fragments followed). */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const depthOf = meter(context.getDocument());
    return {
      OperationDefinition(node) {
        for (const sel of node.selectionSet.selections) {
          const introspection = sel.kind === Kind.FIELD && /^__(schema|type)$/.test(sel.name.value);
          const limit = introspection ? Math.max(max, INTROSPECTION_DEPTH) : max;
          const depth = depthOf(sel);
          if (depth > limit)
            return context.reportError(
              new GraphQLError(`The query is nested ${depth} levels deep; the limit is ${limit}.`, {
                nodes: [sel],
                extensions: { code: 'QUERY_TOO_DEEP' },
              }),
            );
        }
      },
    };
  };
}
