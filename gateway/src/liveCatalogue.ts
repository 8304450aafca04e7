import {
  buildASTSchema,
  getDirectiveValues,
  getNamedType,
  isNonNullType,
  isObjectType,
  parse,
  printSchema,
  type GraphQLField,
  type GraphQLSchema,
} from './graphql.ts';

/** Who may subscribe to a live field (`@live(audience:)`); STAFF is every role but customers. */
export type LiveAudience = 'ANY' | 'CUSTOMER' | 'STAFF';

/**
 * The entities a payload can carry, by GraphQL type, each loaded through the event's work order:
 * the work order itself, or the event's message in that work order's conversation.
 */
export const PAYLOAD_ENTITIES = ['WorkOrder', 'Message'] as const;
export type PayloadEntity = (typeof PAYLOAD_ENTITIES)[number];

/** The payload fields filled from the event itself rather than from the graph. */
const EVENT_FIELDS = new Set(['cursor', 'kind']);

/** The argument every live field resumes from: the `cursor` of the last payload received. */
export const RESUME_ARG = 'after';

/** One subscription field, as its `@live` directive in the composed schema describes it. */
export interface LiveField {
  name: string;
  /** The event entities (the log's `entity`) whose events the field carries. */
  entities: ReadonlySet<string>;
  /** The argument naming the one work order the field follows; null when it follows many. */
  workOrderArg: string | null;
  audience: LiveAudience;
  /** Customers receive only events that name their customer id. */
  mine: boolean;
  /** Only events about outages. */
  outagesOnly: boolean;
  /** Whether the field takes the resume cursor ({@link RESUME_ARG}). */
  resumable: boolean;
  /** The payload type, and which of its fields carry which entity. */
  payload: { type: string; entities: ReadonlyMap<string, PayloadEntity> };
}

/** The subscription fields one version of the composed schema asks the gateway to answer. */
export interface LiveCatalogue {
  /**
   * The API schema rebuilt from its SDL, without resolvers. Apollo Server instruments the schema
   * it serves, wrapping every field's resolver in one that ignores a caller's `fieldResolver`;
   * payloads are built on this copy so aliases resolve by response key.
   */
  schema: GraphQLSchema;
  fields: ReadonlyMap<string, LiveField>;
  /** Subscription fields of the API that cannot be answered, each with the reason. */
  problems: string[];
}

const AUDIENCES: ReadonlySet<string> = new Set<LiveAudience>(['ANY', 'CUSTOMER', 'STAFF']);

/**
 * Reads every subscription field's `@live` rules. The API schema @apollo/gateway serves drops
 * directive applications, so they are read from the supergraph it was derived from (the directive
 * is kept there by `@composeDirective`); the API schema decides which fields exist.
 */
export function liveCatalogue(apiSchema: GraphQLSchema, supergraphSdl: string): LiveCatalogue {
  const schema = buildASTSchema(parse(printSchema(apiSchema)));
  const fields = new Map<string, LiveField>();
  const problems: string[] = [];
  const subscription = schema.getSubscriptionType();
  if (!subscription) return { schema, fields, problems };

  const supergraph = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const live = supergraph.getDirective('live');
  const declared = supergraph.getSubscriptionType()?.getFields() ?? {};

  for (const field of Object.values(subscription.getFields())) {
    const node = declared[field.name]?.astNode;
    const rules = live && node ? getDirectiveValues(live, node) : undefined;
    if (!rules) {
      problems.push(`Subscription.${field.name} has no @live directive.`);
      continue;
    }
    const read = readField(field, rules, schema);
    if (typeof read === 'string') problems.push(`Subscription.${field.name}: ${read}`);
    else fields.set(field.name, read);
  }
  return { schema, fields, problems };
}

/** The field's rules, or what makes it impossible to answer. */
function readField(field: GraphQLField<unknown, unknown>, rules: Record<string, unknown>, schema: GraphQLSchema): LiveField | string {
  const entities = rules.entities as string[];
  if (!entities.length) return '@live(entities:) names no entity.';
  const unknown = entities.filter((e) => !isObjectType(schema.getType(e)));
  if (unknown.length) return `@live(entities:) names ${unknown.join(', ')}, not a type of the graph.`;
  const audience = rules.audience as string;
  if (!AUDIENCES.has(audience)) return `@live(audience:) ${audience} is not one of ${[...AUDIENCES].join(', ')}.`;

  const workOrderArg = (rules.workOrderArg as string | null | undefined) ?? null;
  if (workOrderArg !== null) {
    const arg = field.args.find((a) => a.name === workOrderArg);
    if (!arg || !isNonNullType(arg.type) || getNamedType(arg.type).name !== 'ID') return `@live(workOrderArg:) must name an argument of type ID!, not ${workOrderArg}.`;
  }
  const resume = field.args.find((a) => a.name === RESUME_ARG);
  if (resume && (isNonNullType(resume.type) || getNamedType(resume.type).name !== 'String')) return `its ${RESUME_ARG} argument must be of type String.`;

  const payloadType = getNamedType(field.type);
  if (!isObjectType(payloadType)) return `its type ${payloadType.name} is not an object type.`;
  const carried = new Map<string, PayloadEntity>();
  for (const f of Object.values(payloadType.getFields())) {
    const type = getNamedType(f.type).name;
    if ((PAYLOAD_ENTITIES as readonly string[]).includes(type)) carried.set(f.name, type as PayloadEntity);
    else if (!EVENT_FIELDS.has(f.name)) return `${payloadType.name}.${f.name} is neither ${[...EVENT_FIELDS].join(' nor ')} nor an entity the gateway loads (${PAYLOAD_ENTITIES.join(', ')}).`;
  }
  return {
    name: field.name,
    entities: new Set(entities),
    workOrderArg,
    audience: audience as LiveAudience,
    mine: rules.mine === true,
    outagesOnly: rules.outagesOnly === true,
    resumable: !!resume,
    payload: { type: payloadType.name, entities: carried },
  };
}
