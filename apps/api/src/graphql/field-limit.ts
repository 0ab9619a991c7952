import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * A validation rule that refuses operations selecting more than `max` fields, counted as execution would
 * resolve them: every alias is a field, and a fragment counts once per spread. 5,000 aliases of one list
 * field are a short document and thousands of resolver calls; the cost limit prices them too, this refuses
 * them before any pricing. Each fragment is counted once and multiplied, so nested spreads stay cheap.
 */
export function fieldLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const counted = new Map<string, number>();
    const countOf = (set: SelectionSetNode | undefined): number => {
      let n = 0;
      for (const sel of set?.selections ?? []) {
        if (sel.kind === Kind.FIELD) n += 1 + countOf(sel.selectionSet);
        else if (sel.kind === Kind.INLINE_FRAGMENT) n += countOf(sel.selectionSet);
        else {
          const name = sel.name.value;
          if (!counted.has(name)) {
            counted.set(name, 0); // a cycle (refused by NoFragmentCycles) adds nothing
            counted.set(name, countOf(fragments.get(name)?.selectionSet));
          }
          n += counted.get(name)!;
        }
      }
      return n;
    };
    return {
      OperationDefinition(node) {
        const fields = countOf(node.selectionSet);
        if (fields > max)
          context.reportError(
            new GraphQLError(
              `The query selects ${fields} fields (aliases and fragment spreads counted); the limit is ${max}.`,
              { nodes: [node], extensions: { code: 'QUERY_TOO_COMPLEX' } },
            ),
          );
      },
    };
  };
}

/**
 * The parser's token budget, from the field limit: a field with an alias and arguments is about ten tokens
 * (the console's largest operation is 243 tokens, the standard introspection query 184), so twenty per
 * allowed field refuses nothing sensible. It is what keeps an oversized document from costing the event loop
 * a full parse and validation before the field limit can refuse it: parsing stops at the budget.
 */
export const maxTokensFor = (maxFields: number): number => maxFields * 20;
