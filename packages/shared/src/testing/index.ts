export * from './tokens.ts';
export * from './graphql.ts';
