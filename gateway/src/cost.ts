import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from './graphql.ts';

/** How an operation's cost is counted. */
export interface CostRules {
  /** Items assumed for a list asked for without `first`, `last` or `limit`. @default 10 */
  defaultListSize: number;
  /** What every mutation field costs before its selection (writes are dearer than reads). @default 10 */
  mutationCost: number;
}

export const DEFAULT_COST_RULES: CostRules = { defaultListSize: 10, mutationCost: 10 };

const SIZE_ARGUMENTS = ['first', 'last', 'limit'];
/** The list fields of a page object (a connection's `edges`/`nodes`, a feed's `items`): as long as the page was asked to be. */
const PAGE_FIELDS: ReadonlySet<string> = new Set(['edges', 'nodes', 'items']);

const isList = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

function sizeOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number | null {
  for (const name of SIZE_ARGUMENTS) {
    if (!field.args.some((a) => a.name === name)) continue;
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
  }
  return null;
}

/** The number of rows in the largest list argument: a bulk write costs by its size. */
function largestListArgument(args: Record<string, unknown>): number {
  let most = 0;
  const walk = (value: unknown) => {
    if (Array.isArray(value)) most = Math.max(most, value.length);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(args);
  return most;
}

/**
 * What an operation costs before it runs, the way GitHub and Shopify count: every object a field
 * returns is one point, scalars are free, and a list multiplies its items' cost by how many it may
 * return (its `first`/`last`/`limit` argument, or {@link CostRules.defaultListSize}); a
 * connection's `edges` and `nodes` (a page's `items`) take their size from the connection. Mutation fields add
 * {@link CostRules.mutationCost} and one point per row of their largest list argument.
 * Variables must have been coerced (as Apollo Server does before `didResolveOperation`).
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  rules: CostRules = DEFAULT_COST_RULES,
): number {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 1;

  /** `parentSize`: the size a connection was asked for, which its `edges` and `nodes` take. */
  const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, parentSize: number | null, atRoot: boolean, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (on && isCompositeType(on)) total += costOf(sel.selectionSet, on, parentSize, atRoot, seen);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments[sel.name.value];
        // A fragment cycle is refused by validation; count each fragment once along a path.
        if (!frag || seen.has(frag.name.value)) continue;
        const on = schema.getType(frag.typeCondition.name.value);
        if (on && isCompositeType(on)) total += costOf(frag.selectionSet, on, parentSize, atRoot, new Set(seen).add(frag.name.value));
        continue;
      }
      if (sel.name.value.startsWith('__')) continue;
      const field = 'getFields' in parent ? parent.getFields()[sel.name.value] : undefined;
      if (!field) continue;
      const args = getArgumentValues(field, sel, variables);
      if (atRoot && operation.operation === 'mutation') total += rules.mutationCost + largestListArgument(args);
      const named = getNamedType(field.type);
      if (isLeafType(named) || !sel.selectionSet || !isCompositeType(named)) continue;
      const size = sizeOf(field, args);
      if (isList(field.type)) {
        const inConnection = parentSize !== null && PAGE_FIELDS.has(sel.name.value);
        const items = size ?? (inConnection ? parentSize : rules.defaultListSize);
        total += items * (1 + costOf(sel.selectionSet, named, null, false, seen));
      } else {
        // A connection is one object; its edges are counted by the size it was asked for.
        total += 1 + costOf(sel.selectionSet, named, size, false, seen);
      }
    }
    return total;
  };
  return Math.max(1, costOf(operation.selectionSet, root, null, true, new Set()));
}
