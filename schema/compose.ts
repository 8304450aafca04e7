/**
 * Composes the subgraph SDLs listed in supergraph.yaml into supergraph.graphql.
 * `--check` composes in memory and fails when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';

const here = new URL('./', import.meta.url);
const out = new URL('supergraph.graphql', here);
const config = parseYaml(readFileSync(new URL('supergraph.yaml', here), 'utf8')) as {
  subgraphs: Record<string, { routing_url: string; schema: string }>;
};

const services = Object.entries(config.subgraphs).map(([name, s]) => ({
  name,
  url: s.routing_url,
  typeDefs: parse(readFileSync(new URL(s.schema, here), 'utf8')),
}));

const result = composeServices(services);
if (result.errors) {
  for (const e of result.errors) process.stderr.write(`composition error: ${e.message}\n`);
  process.exit(1);
}
for (const hint of result.hints ?? []) process.stderr.write(`hint: ${hint.definition.code}: ${hint.message}\n`);

const sdl = `${result.supergraphSdl.trimEnd()}\n`;
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(out, 'utf8');
  } catch {
    /* missing counts as drift */
  }
  if (committed !== sdl) {
    process.stderr.write('schema/supergraph.graphql is out of date: run `npm run compose` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('supergraph.graphql is up to date.\n');
} else {
  writeFileSync(out, sdl);
  process.stdout.write(`wrote ${out.pathname}\n`);
}
