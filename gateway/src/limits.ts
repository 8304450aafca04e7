import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from './graphql.ts';

/** Query shape limits applied before any subgraph is asked. */
export interface QueryLimits {
  /** Deepest selection nesting allowed. @default 12 */
  maxDepth: number;
  /** Most aliased fields in one document. @default 30 */
  maxAliases: number;
  /**
   * Deepest nesting of an operation that only introspects (`__schema`, `__type`): the standard
   * introspection query of development tools nests 15 levels. @default 15
   */
  maxIntrospectionDepth?: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxIntrospectionDepth: 15 };

const onlyIntrospection = (set: SelectionSetNode) =>
  set.selections.every((sel) => sel.kind === Kind.FIELD && (sel.name.value === '__schema' || sel.name.value === '__type'));

// Apollo Server reports every validation failure as GRAPHQL_VALIDATION_FAILED (HTTP 400).
function limitError(message: string): GraphQLError {
  return new GraphQLError(message);
}

function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      // Introspection fields count like any other: `__type { ofType { ofType … } }` nests without end.
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // A fragment cycle is reported by graphql's own NoFragmentCycles rule; count it once here.
      if (!frag || seen.has(name)) continue;
      max = Math.max(max, depthOf(frag.selectionSet, fragments, new Set(seen).add(name)));
    }
  }
  return max;
}

/** Rejects documents nested deeper than `maxDepth` or with more than `maxAliases` aliases. */
export function queryLimitRules(limits: QueryLimits = DEFAULT_LIMITS) {
  const depthRule = (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(op) {
        const depth = depthOf(op.selectionSet, fragments, new Set());
        const max = onlyIntrospection(op.selectionSet) ? Math.max(limits.maxDepth, limits.maxIntrospectionDepth ?? 15) : limits.maxDepth;
        if (depth > max) context.reportError(limitError(`The query is nested ${depth} levels deep; at most ${max} are allowed.`));
      },
    };
  };
  const aliasRule = (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias && ++aliases === limits.maxAliases + 1) {
          context.reportError(limitError(`The query uses more than ${limits.maxAliases} aliases.`));
        }
      },
    };
  };
  return [depthRule, aliasRule];
}
