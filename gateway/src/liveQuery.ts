import { createHash } from 'node:crypto';
import {
  execute,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isObjectType,
  Kind,
  parse,
  print,
  specifiedRules,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from './graphql.ts';
import { badInput, forbidden, isObjectId, Role, type Identity } from '@wisp/shared';
import { type StoredEvent } from '@wisp/events';
import { queryLimitRules, type QueryLimits } from './limits.ts';
import { RESUME_ARG, type LiveCatalogue, type LiveField } from './liveCatalogue.ts';

/** A subscription's resume point is the event log's `seq`, as a decimal string. */
export function parseCursor(after: unknown): number | null {
  if (after === null || after === undefined) return null;
  if (typeof after !== 'string' || !/^\d{1,15}$/.test(after)) throw badInput('`after` must be a cursor received from this subscription.', 'after');
  return Number(after);
}

/** What a query through the graph answers (a GraphQL response body). */
export interface QueryAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** Runs a query through the federated graph as `identity` (so the subgraphs' own rules apply). */
export type RunQuery = (query: string, variables: Record<string, unknown>, identity: Identity) => Promise<QueryAnswer>;

/** A client's subscription, checked and turned into what each event needs. */
export interface LiveSubscription {
  field: LiveField;
  /** The work order named by the field's `@live(workOrderArg:)` argument. */
  workOrderId: string | null;
  after: number | null;
  identity: Identity;
  /** Shared by every subscriber with the same identity, document, operation and variables. */
  key: string;
  document: DocumentNode;
  operationName: string | undefined;
  /** True when `event` can concern this subscriber at all: the cheap filter before any query. */
  accepts: (event: StoredEvent) => boolean;
  /** The first payload: `kind: "subscribed"`, no entity, and the cursor the stream starts after. */
  subscribed: (cursor: number) => Promise<ExecutionResult>;
  /** The payload for `event` as this subscriber may see it, or null when they may not see it. */
  resolve: (event: StoredEvent, run: RunQuery) => Promise<ExecutionResult | null>;
}

/** The graph failed (not: refused) to answer for an event; worth another try, never a silent skip. */
export class TransientError extends Error {}

const WO_VAR = 'wispLiveWorkOrderId';
const MSG_VAR = 'wispLiveMessageCursor';
const MSG_ID = 'wispLiveMessageId';

/** The `messages(after:)` cursor that makes message `id` the first one returned. */
function cursorBefore(id: string): string {
  const prev = (BigInt(`0x${id}`) - 1n).toString(16).padStart(24, '0');
  return Buffer.from(`c:${prev}`).toString('base64url');
}

function coded(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function usedVariablesAndFragments(sets: SelectionSetNode[], fragments: Map<string, FragmentDefinitionNode>) {
  const vars = new Set<string>();
  const frags = new Set<string>();
  const queue = [...sets];
  while (queue.length) {
    visit(queue.pop()!, {
      Variable: (v) => void vars.add(v.name.value),
      FragmentSpread: (s) => {
        const name = s.name.value;
        if (!frags.has(name) && fragments.has(name)) {
          frags.add(name);
          queue.push(fragments.get(name)!.selectionSet);
        }
      },
    });
  }
  return { vars, frags };
}

/** Deep-merges JSON objects that answer different selections of the same field. */
function mergeJson(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined || b === null || a === null) return a ?? b;
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => mergeJson(x, b[i]));
  if (typeof a === 'object' && typeof b === 'object') {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = mergeJson(out[k], v);
    return out;
  }
  return a;
}

/**
 * Parses, validates and authorises one subscription operation. Returns GraphQL errors (with
 * `extensions.code`) for anything a client did wrong; never throws for bad input.
 */
export async function prepareSubscription(input: {
  /** The live fields of the schema the gateway serves now. */
  catalogue: LiveCatalogue;
  query: unknown;
  operationName?: unknown;
  variables?: unknown;
  identity: Identity;
  limits: QueryLimits;
  run: RunQuery;
}): Promise<LiveSubscription | GraphQLError[]> {
  const { identity } = input;
  const { schema } = input.catalogue;
  if (typeof input.query !== 'string') return [badInput('The subscription has no query.')];
  const operationName = typeof input.operationName === 'string' ? input.operationName : undefined;
  const variables = input.variables && typeof input.variables === 'object' && !Array.isArray(input.variables) ? (input.variables as Record<string, unknown>) : {};
  let document: DocumentNode;
  try {
    document = parse(input.query, { maxTokens: 5_000 });
  } catch (err) {
    return [coded('GRAPHQL_PARSE_FAILED', (err as Error).message)];
  }
  const invalid = validate(schema, document, [...specifiedRules, ...queryLimitRules(input.limits)]);
  if (invalid.length) return invalid.map((e) => coded('GRAPHQL_VALIDATION_FAILED', e.message));
  const op = getOperationAST(document, operationName);
  if (!op) return [badInput('Name the operation to run (operationName).')];
  if (op.operation !== 'subscription') return [badInput('Send queries and mutations over HTTP; this socket carries subscriptions.')];
  const root = op.selectionSet.selections[0];
  if (op.selectionSet.selections.length !== 1 || root?.kind !== Kind.FIELD) {
    return [badInput('Select exactly one subscription field, directly (not through a fragment).')];
  }
  const field = input.catalogue.fields.get(root.name.value);
  // The schema offers it, but its @live rules are missing or unusable (logged when the schema loaded).
  if (!field) return [coded('INTERNAL', `Live updates for ${root.name.value} are not available on this gateway.`)];
  const declared = new Set((op.variableDefinitions ?? []).map((d) => d.variable.name.value));
  if (declared.has(WO_VAR) || declared.has(MSG_VAR)) return [badInput(`The variable names ${WO_VAR} and ${MSG_VAR} are reserved.`)];

  const coercedVars = getVariableValues(schema, op.variableDefinitions ?? [], variables);
  if (coercedVars.errors) return coercedVars.errors.map((e) => coded('BAD_USER_INPUT', e.message));
  const fieldDef = schema.getSubscriptionType()!.getFields()[field.name]!;
  let args: Record<string, unknown>;
  let after: number | null;
  try {
    args = getArgumentValues(fieldDef, root, coercedVars.coerced);
    after = field.resumable ? parseCursor(args[RESUME_ARG]) : null;
  } catch (err) {
    // Coded errors may come from the shared package's graphql copy: their code decides, not their class.
    return [(err as GraphQLError).extensions?.code ? (err as GraphQLError) : coded('BAD_USER_INPUT', (err as Error).message)];
  }

  // Who may subscribe to what; visibility of each event is decided again, per event, below.
  const customer = identity.role === Role.CUSTOMER;
  if (field.audience === 'CUSTOMER' && !customer) return [forbidden(`Only customers may subscribe to ${field.name}.`)];
  if (field.audience === 'STAFF' && customer) return [forbidden(`Only staff may subscribe to ${field.name}.`)];
  const workOrderId = field.workOrderArg === null ? null : String(args[field.workOrderArg]);
  if (workOrderId !== null) {
    // Same answer as the query: another customer's or tenant's work order does not exist.
    const r = isObjectId(workOrderId) ? await input.run(`query LiveCheck($id: ID!) { workOrder(id: $id) { id } }`, { id: workOrderId }, identity) : null;
    if (r && !r.data?.workOrder && (r.errors ?? []).some((e) => e.extensions?.code !== 'NOT_FOUND')) {
      return [coded('INTERNAL', 'Could not check this work order; try again.')];
    }
    if (!r?.data?.workOrder) return [coded('NOT_FOUND', 'Work order not found.')];
  }

  // Every field that carries the changed entity (through fragments too) gets its own alias in
  // the query that resolves an event, so aliases, fragments and directives all keep working.
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const entityFields: { node: FieldNode; alias: string; message: boolean }[] = [];
  const changeFields: { responseKey: string; name: string; node: FieldNode }[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || !isObjectType(parent)) return;
        if (parent.name !== field.payload.type) return;
        changeFields.push({ responseKey: node.alias?.value ?? node.name.value, name: node.name.value, node });
        const entity = field.payload.entities.get(node.name.value);
        if (entity) entityFields.push({ node, alias: `live${entityFields.length}`, message: entity === 'Message' });
      },
    }),
  );
  const { vars, frags } = usedVariablesAndFragments(
    entityFields.flatMap((f) => [f.node.selectionSet!, { kind: Kind.SELECTION_SET, selections: [{ ...f.node, selectionSet: undefined }] } as SelectionSetNode]),
    fragments,
  );
  const passVars = Object.fromEntries(Object.entries(variables).filter(([k]) => vars.has(k)));
  const varDefs = (op.variableDefinitions ?? []).filter((d) => vars.has(d.variable.name.value));

  const queryFor = (messageEvent: boolean): string => {
    const entities = entityFields.map(({ node, alias, message }) => {
      const dirs = node.directives?.length ? ` ${node.directives.map((d) => print(d)).join(' ')}` : '';
      const sel = print(node.selectionSet!);
      return message
        ? `${alias}: workOrder(id: $${WO_VAR})${dirs} { messages(first: 1, after: $${MSG_VAR}) { edges { node { ${MSG_ID}: id ${sel.slice(1, -1)} } } } }`
        : `${alias}: workOrder(id: $${WO_VAR})${dirs} ${sel}`;
    });
    const needsMsg = messageEvent || entityFields.some((f) => f.message);
    const defs = [`$${WO_VAR}: ID!`, ...(needsMsg ? [`$${MSG_VAR}: String`] : []), ...varDefs.map((d: VariableDefinitionNode) => print(d))];
    const checks = [`liveCheck: workOrder(id: $${WO_VAR}) { id }`];
    if (messageEvent) checks.push(`liveMessageCheck: workOrder(id: $${WO_VAR}) { messages(first: 1, after: $${MSG_VAR}) { edges { node { id } } } }`);
    const fragText = [...frags].map((n) => print(fragments.get(n)!)).join('\n');
    return `query LiveEvent(${defs.join(', ')}) { ${[...checks, ...entities].join(' ')} }\n${fragText}`;
  };
  const queries = new Map<boolean, string>();
  const textFor = (messageEvent: boolean) => {
    if (!queries.has(messageEvent)) queries.set(messageEvent, queryFor(messageEvent));
    return queries.get(messageEvent)!;
  };

  // `after` only says where a subscriber starts, never what it receives: subscribers that differ in
  // it alone share answers.
  const afterArg = root.arguments?.find((a) => a.name.value === RESUME_ARG)?.value;
  const afterVar = afterArg?.kind === Kind.VARIABLE ? afterArg.name.value : null;
  const keyVars = Object.fromEntries(Object.entries(variables).filter(([k]) => k !== afterVar || vars.has(k)));
  const key = createHash('sha256').update(JSON.stringify([identity, input.query, operationName ?? null, keyVars])).digest('base64url');
  const responseKey = root.alias?.value ?? root.name.value;
  // Every value is read by response key (the gateway's schema resolves fields that way too), so
  // aliases and fragments land where the subscriber asked for them.
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _ctx, info) =>
    source && typeof source === 'object' ? (source as Record<string, unknown>)[info.path.key as string] : null;

  const tenantOk = (e: StoredEvent) => identity.role === Role.PLATFORM_OPERATOR || e.tenantId === identity.tenantId;
  const accepts = (e: StoredEvent): boolean => {
    if (!tenantOk(e)) return false;
    if (customer && e.internal) return false;
    // Every payload is loaded through the event's work order: events about none concern no live field.
    if (!e.workOrderId || !field.entities.has(e.entity)) return false;
    if (workOrderId !== null && e.workOrderId !== workOrderId) return false;
    if (field.outagesOnly && !e.outage) return false;
    return !(field.mine && customer && !e.customerIds.includes(identity.customerId!));
  };

  const payloadFor = (cursor: number, kind: string, entities: Map<FieldNode, unknown>) => {
    const change: Record<string, unknown> = {};
    for (const f of changeFields) {
      if (f.name === 'cursor') change[f.responseKey] = String(cursor);
      else if (f.name === 'kind') change[f.responseKey] = kind;
      else if (entities.has(f.node)) change[f.responseKey] = mergeJson(change[f.responseKey], entities.get(f.node));
    }
    return execute({ schema, document, operationName, variableValues: variables, rootValue: { [responseKey]: change }, fieldResolver });
  };

  return {
    field,
    workOrderId,
    after,
    identity,
    key,
    document,
    operationName,
    accepts,
    subscribed: async (cursor) => await payloadFor(cursor, 'subscribed', new Map()),
    async resolve(event, run) {
      const messageEvent = event.entity === 'Message';
      const msgCursor = messageEvent && isObjectId(event.entityId) ? cursorBefore(event.entityId) : null;
      if (messageEvent && !msgCursor) return null;
      const needsMsg = messageEvent || entityFields.some((f) => f.message);
      const r = await run(textFor(messageEvent), { ...passVars, [WO_VAR]: event.workOrderId, ...(needsMsg ? { [MSG_VAR]: msgCursor } : {}) }, identity);
      const data = r.data as Record<string, any> | null | undefined;
      // The subgraphs' answer decides: no work order (NOT_FOUND) or no such message, no delivery.
      if (!data?.liveCheck) {
        if ((r.errors ?? []).some((e) => e.extensions?.code !== 'NOT_FOUND')) throw new TransientError('The graph could not answer for this event.');
        return null;
      }
      if (messageEvent && data.liveMessageCheck?.messages?.edges?.[0]?.node?.id !== event.entityId) return null;
      const entities = new Map<FieldNode, unknown>();
      for (const { node, alias, message } of entityFields) {
        if (!(alias in data)) continue; // skipped by @skip/@include
        if (!message) {
          entities.set(node, data[alias]);
          continue;
        }
        const found = data[alias]?.messages?.edges?.[0]?.node;
        entities.set(node, found && found[MSG_ID] === event.entityId ? found : null);
      }
      return await payloadFor(event.seq, event.kind, entities);
    },
  };
}

