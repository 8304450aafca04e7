import { describe, expect, it } from 'vitest';
import { buildASTSchema, getOperationAST, Kind, parse, type FragmentDefinitionNode } from './graphql.ts';
import { operationCost } from './cost.ts';

const schema = buildASTSchema(
  parse(/* GraphQL */ `
    type Query { viewer: Viewer  customers(first: Int = 20): [Customer!]!  tags: [String!]!  search(limit: Int): [Customer!]! }
    type Mutation { upsertCustomers(input: [CustomerInput!]!): [Result!]!  rename(name: String!): Customer }
    input CustomerInput { name: String! }
    type Result { ok: Boolean! customer: Customer }
    type Viewer { uid: String! customer: Customer }
    type Customer { name: String! tickets(first: Int): TicketConnection! equipment: [Device!]! }
    type TicketConnection { edges: [Edge!]! nodes: [Ticket!]! items: [Ticket!]! totalCount: Int! }
    type Edge { node: Ticket! }
    type Ticket { number: String! reporter: Customer }
    type Device { serial: String! }
  `),
);

function cost(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return operationCost(schema, getOperationAST(doc)!, fragments, variables);
}

describe('operation cost', () => {
  it('counts objects, not scalars, and at least one point', () => {
    expect(cost('{ tags }')).toBe(1);
    expect(cost('{ viewer { uid } }')).toBe(1);
    expect(cost('{ viewer { uid customer { name } } }')).toBe(2);
  });

  it('multiplies a list by the items it may return: first, its default, or the default list size', () => {
    expect(cost('{ customers(first: 5) { name } }')).toBe(5);
    expect(cost('{ customers { name } }')).toBe(20);
    expect(cost('query($n: Int) { customers(first: $n) { name } }', { n: 50 })).toBe(50);
    expect(cost('{ search { name } }')).toBe(10);
    expect(cost('{ customers(first: 2) { equipment { serial } } }')).toBe(2 * (1 + 10));
  });

  it('takes a connection edges size from the connection and nests multiplicatively', () => {
    // The connection (1), then 10 × an edge (1) + its node (1) + the node's reporter (1).
    expect(cost('{ viewer { customer { tickets(first: 10) { totalCount edges { node { number reporter { name } } } } } } }')).toBe(1 + 1 + 1 + 10 * 3);
    const hundred = cost('{ viewer { customer { tickets(first: 100) { edges { node { number } } } } } }');
    const ten = cost('{ viewer { customer { tickets(first: 10) { edges { node { number } } } } } }');
    expect(hundred - 3).toBe(10 * (ten - 3));
    expect(cost('{ viewer { customer { tickets(first: 50) { items { number } } } } }')).toBe(3 + 50);
  });

  it('counts fragments and inline fragments like the fields they hold', () => {
    const plain = cost('{ customers(first: 3) { name tickets(first: 2) { nodes { number } } } }');
    expect(cost('{ customers(first: 3) { ...C } } fragment C on Customer { name tickets(first: 2) { nodes { number } } }')).toBe(plain);
    expect(cost('{ customers(first: 3) { ... on Customer { name tickets(first: 2) { nodes { number } } } } }')).toBe(plain);
  });

  it('charges writes more, and bulk writes by their rows', () => {
    expect(cost('mutation { rename(name: "x") { name } }')).toBe(10 + 1);
    const rows = Array.from({ length: 500 }, (_, i) => ({ name: `c${i}` }));
    expect(cost('mutation($input: [CustomerInput!]!) { upsertCustomers(input: $input) { ok } }', { input: rows })).toBe(10 + 500 + 10);
  });
});
