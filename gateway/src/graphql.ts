import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';

/**
 * The one copy of graphql the gateway uses. graphql refuses schemas, and graphql-ws refuses errors,
 * made by another copy of itself, and graphql ships two: a CommonJS build that `require` and Node's
 * own `import` resolve to (what @apollo/gateway, @apollo/server and graphql-ws load), and an ES
 * module build that bundlers and Vite pick for `import`. Loading it with `require` gives the
 * gateway's code the copy its libraries use whatever runs or bundles it.
 */
const graphql: typeof GraphQL = createRequire(import.meta.url)('graphql');

export const {
  GraphQLError,
  Kind,
  TypeInfo,
  buildASTSchema,
  execute,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  print,
  printSchema,
  specifiedRules,
  validate,
  visit,
  visitWithTypeInfo,
} = graphql;
export type GraphQLError = GraphQL.GraphQLError;
export type TypeInfo = GraphQL.TypeInfo;
export type * from 'graphql';
