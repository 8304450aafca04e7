/**
 * The production build of the Node services: each entry point, with the workspace packages it
 * imports (the shared package, a subgraph's models), becomes one ES module under a `dist/` folder
 * that plain `node` runs. npm packages stay imports, resolved at runtime from a production install
 * (`npm ci --omit=dev`), so the bundles carry none of their code and none of the dev tooling.
 *
 *   tsx scripts/build.ts              every target
 *   tsx scripts/build.ts tenant seed  only those
 *
 * The portal has its own build (`npm run build -w @wisp/portal`, adapter-node).
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One program to bundle. Paths are relative to the repository root. */
export interface BuildTarget {
  entry: string;
  outfile: string;
  /** Files the code reads beside itself (`new URL('./x', import.meta.url)`), copied next to the bundle. */
  assets?: string[];
}

const subgraph = (name: string): BuildTarget => ({
  entry: `subgraphs/${name}/src/index.ts`,
  outfile: `subgraphs/${name}/dist/index.js`,
  assets: [`subgraphs/${name}/src/schema.graphql`],
});

/** What `npm run build` produces; docker-compose.yml's commands run these files. */
export const TARGETS = {
  tenant: subgraph('tenant'),
  customer: subgraph('customer'),
  'work-order': subgraph('work-order'),
  messaging: subgraph('messaging'),
  // Reads ../../schema/supergraph.graphql at runtime, which sits at the same depth from dist/ as from src/.
  gateway: { entry: 'gateway/src/index.ts', outfile: 'gateway/dist/index.js' },
  seed: { entry: 'scripts/seed.ts', outfile: 'scripts/dist/seed.js' },
} satisfies Record<string, BuildTarget>;

export type TargetName = keyof typeof TARGETS;

/**
 * Bundles workspace packages (their exports point at TypeScript sources) and leaves every npm
 * package an import. The services import npm packages only for what they export, never for side
 * effects, so an import whose bindings the bundle does not use is dropped: the gateway does not
 * load a subgraph library because the shared package's barrel also serves subgraphs.
 */
const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@wisp/') ? undefined : { path: args.path, external: true, sideEffects: false }));
  },
};

/** Builds the named targets (all by default) and returns each one's esbuild metafile. */
export async function buildServices(names: TargetName[] = Object.keys(TARGETS) as TargetName[]): Promise<Record<string, Metafile>> {
  const metafiles: Record<string, Metafile> = {};
  await Promise.all(
    names.map(async (name) => {
      const target: BuildTarget = TARGETS[name];
      const outfile = join(ROOT, target.outfile);
      rmSync(dirname(outfile), { recursive: true, force: true });
      const result = await build({
        absWorkingDir: ROOT,
        entryPoints: [target.entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20.19',
        // Stack traces in production logs point at the TypeScript (run with --enable-source-maps).
        sourcemap: true,
        metafile: true,
        logLevel: 'warning',
        plugins: [npmPackagesExternal],
      });
      for (const asset of target.assets ?? []) {
        mkdirSync(dirname(outfile), { recursive: true });
        copyFileSync(join(ROOT, asset), join(dirname(outfile), basename(asset)));
      }
      metafiles[name] = result.metafile;
    }),
  );
  return metafiles;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in TARGETS));
  if (unknown.length) {
    process.stderr.write(`Unknown build target(s): ${unknown.join(', ')}. Known: ${Object.keys(TARGETS).join(', ')}\n`);
    process.exit(1);
  }
  const started = performance.now();
  await buildServices(names.length ? (names as TargetName[]) : undefined);
  process.stdout.write(`built ${names.length ? names.join(', ') : Object.keys(TARGETS).join(', ')} in ${Math.round(performance.now() - started)} ms\n`);
}
