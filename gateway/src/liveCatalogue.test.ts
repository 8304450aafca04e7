import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { describe, expect, it } from 'vitest';
import { buildASTSchema, parse, type GraphQLSchema } from './graphql.ts';
import { liveCatalogue } from './liveCatalogue.ts';

const SUPERGRAPH = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');

/** The API schema and supergraph exactly as the gateway hands them over when it loads. */
async function loaded(supergraphSdl: string) {
  const gateway = new ApolloGateway({ supergraphSdl });
  let got: { apiSchema: GraphQLSchema; coreSupergraphSdl: string } | undefined;
  gateway.onSchemaLoadOrUpdate((s) => void (got = s));
  await gateway.load();
  await gateway.stop();
  return got!;
}

const LIVE = /* GraphQL */ `
  directive @live(entities: [String!]!, workOrderArg: String, audience: LiveAudience! = ANY, mine: Boolean! = false, outagesOnly: Boolean! = false) on FIELD_DEFINITION
  enum LiveAudience { ANY CUSTOMER STAFF }
  type Query { workOrder(id: ID!): WorkOrder }
  type WorkOrder { id: ID! }
  type Message { id: ID! }
  type WorkOrderChange { cursor: String! kind: String! workOrder: WorkOrder }
  type Odd { cursor: String! secret: String }
`;
/** A schema of `subscription` fields, served as its own supergraph. */
const catalogueOf = (subscription: string) => {
  const sdl = `${LIVE}\ntype Subscription { ${subscription} }`;
  return liveCatalogue(buildASTSchema(parse(sdl)), sdl);
};

describe('the live catalogue', () => {
  it('reads every subscription field of the composed schema from its @live rules', async () => {
    const { apiSchema, coreSupergraphSdl } = await loaded(SUPERGRAPH);
    // The API schema loses the directive: the rules come from the supergraph beside it.
    expect(apiSchema.getDirective('live')).toBeUndefined();
    const { fields, problems } = liveCatalogue(apiSchema, coreSupergraphSdl);
    expect(problems).toEqual([]);
    expect([...fields.keys()].sort()).toEqual(Object.keys(apiSchema.getSubscriptionType()!.getFields()).sort());
    const rules = Object.fromEntries([...fields].map(([name, f]) => [name, { ...f, entities: [...f.entities], payload: { type: f.payload.type, entities: Object.fromEntries(f.payload.entities) } }]));
    expect(rules.messageAdded).toEqual({
      name: 'messageAdded',
      entities: ['Message'],
      workOrderArg: 'workOrderId',
      audience: 'ANY',
      mine: false,
      outagesOnly: false,
      resumable: true,
      payload: { type: 'MessageChange', entities: { message: 'Message' } },
    });
    expect(rules.queueChanged).toMatchObject({ audience: 'STAFF', mine: false, workOrderArg: null, payload: { type: 'WorkOrderChange', entities: { workOrder: 'WorkOrder' } } });
    expect(rules.myWorkOrdersChanged).toMatchObject({ audience: 'CUSTOMER', mine: true, outagesOnly: false });
    expect(rules.serviceNoticesChanged).toMatchObject({ audience: 'ANY', mine: true, outagesOnly: true, entities: ['WorkOrder', 'CallbackRequest'] });
    expect(rules.workOrderUpdated).toMatchObject({ workOrderArg: 'id', entities: ['WorkOrder', 'CallbackRequest'] });
  });

  it('names each field it cannot answer, and why, instead of guessing', () => {
    const { fields, problems } = catalogueOf(`
      ok(after: String): WorkOrderChange! @live(entities: ["WorkOrder"], audience: STAFF)
      bare(after: String): WorkOrderChange!
      badArg(id: ID!, after: String): WorkOrderChange! @live(entities: ["WorkOrder"], workOrderArg: "workOrderId")
      optionalArg(id: ID, after: String): WorkOrderChange! @live(entities: ["WorkOrder"], workOrderArg: "id")
      typo(after: String): WorkOrderChange! @live(entities: ["Workorder"])
      none(after: String): WorkOrderChange! @live(entities: [])
      strictCursor(after: String!): WorkOrderChange! @live(entities: ["WorkOrder"])
      oddPayload(after: String): Odd! @live(entities: ["WorkOrder"])
    `);
    expect([...fields.keys()]).toEqual(['ok']);
    expect(problems).toEqual([
      'Subscription.bare has no @live directive.',
      'Subscription.badArg: @live(workOrderArg:) must name an argument of type ID!, not workOrderId.',
      'Subscription.optionalArg: @live(workOrderArg:) must name an argument of type ID!, not id.',
      'Subscription.typo: @live(entities:) names Workorder, not a type of the graph.',
      'Subscription.none: @live(entities:) names no entity.',
      'Subscription.strictCursor: its after argument must be of type String.',
      'Subscription.oddPayload: Odd.secret is neither cursor nor kind nor an entity the gateway loads (WorkOrder, Message).',
    ]);
  });

  it('answers no field when the supergraph declares no @live', () => {
    const sdl = `type Query { a: Int } type WorkOrder { id: ID! } type WorkOrderChange { cursor: String! workOrder: WorkOrder } type Subscription { changes(after: String): WorkOrderChange! }`;
    const { fields, problems } = liveCatalogue(buildASTSchema(parse(sdl)), sdl);
    expect(fields.size).toBe(0);
    expect(problems).toEqual(['Subscription.changes has no @live directive.']);
  });
});
