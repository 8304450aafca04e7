/**
 * The JavaScript each portal page makes the browser load before it can run. A page that hydrates
 * loads SvelteKit's client entry (start + app) and its layout and page nodes with all their static
 * imports — exactly the modules the server's HTML preloads — plus, for the customer dashboard, the
 * component its universal load imports before hydrating (it always loads, so it counts). A page
 * whose `csr` option is false loads none of that, only the plain scripts it names itself (`scripts`
 * below, with their static imports; the script checks that the page's built components write as
 * many `<script src>` elements as are listed). Whether a page hydrates is read from the build, as SvelteKit's
 * server reads it: the `csr` its built layout and page modules export, the page's own over its
 * layouts', true when none says. A page that hydrates is never counted without SvelteKit's client.
 * Other dynamic `import()`s (the staff dashboard for a customer, and the other way round) are not counted:
 * they load only when used. Sizes are gzip (level 9) of the built files, summed once per file.
 *
 * The signed-out landing is what a visitor without a session gets at `/`: the script runs the
 * built start page's server load for such a visitor and measures the page it redirects to.
 *
 *   npm run build -w @wisp/portal && npm run bench:portal-budgets [-- --files]
 *
 * `--files` lists each page's files with their gzip sizes, largest first.
 *
 * Exits 1 when a page is over its budget.
 */
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SIGN_IN_SCRIPT } from '../portal/src/lib/portal/signInScript.ts';

const output = fileURLToPath(new URL('../portal/.svelte-kit/output/', import.meta.url));
const manifestPath = `${output}server/manifest.js`;
if (!existsSync(manifestPath)) {
  console.error('No built portal: run `npm run build -w @wisp/portal` first.');
  process.exit(1);
}

interface Page {
  name: string;
  route: string;
  /** Follow the route's answer to a visitor without a session, when it is a redirect. */
  signedOut?: boolean;
  /** Source modules the page always imports before it hydrates (its universal load's `import()`). */
  before?: string[];
  /** Plain scripts the page's HTML names itself (source modules, as Vite's manifest keys them). */
  scripts?: string[];
  /** Most gzip KB up front; null for a page that is only reported. */
  budgetKb: number | null;
}

const PAGES: Page[] = [
  { name: 'signed-out landing (/)', route: '/', signedOut: true, scripts: [SIGN_IN_SCRIPT.source], budgetKb: 40 },
  { name: 'customer dashboard (/)', route: '/', before: ['src/routes/CustomerDashboard.svelte'], budgetKb: 90 },
  { name: 'ticket page (/tickets/[id])', route: '/tickets/[id]', budgetKb: null },
  { name: 'tickets list (/tickets)', route: '/tickets', budgetKb: null },
  { name: 'staff dashboard (/)', route: '/', before: ['src/routes/StaffDashboard.svelte'], budgetKb: null },
  { name: 'staff queue (/staff/queue)', route: '/staff/queue', budgetKb: null },
  { name: 'staff ticket (/staff/tickets/[id])', route: '/staff/tickets/[id]', budgetKb: null },
  { name: 'branding editor (/admin/branding)', route: '/admin/branding', budgetKb: null },
];

const manifest = readFileSync(manifestPath, 'utf8');
const quoted = (list: string) => [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
const clientImports = quoted(/client:\s*\{[^}]*?imports:\s*\[([^\]]*)\]/.exec(manifest)?.[1] ?? '');
if (clientImports.length === 0) throw new Error('The server manifest names no client entry.');

function nodesOf(route: string): number[] {
  const at = manifest.indexOf(`id: "${route}"`);
  if (at < 0) throw new Error(`No route ${route} in the build.`);
  const page = /page:\s*\{\s*layouts:\s*\[([^\]]*)\],\s*errors:\s*\[[^\]]*\],\s*leaf:\s*(\d+)\s*\}/.exec(manifest.slice(at, at + 600));
  if (!page) throw new Error(`Route ${route} is not a page.`);
  const layouts = page[1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return [...layouts, Number(page[2])];
}

/** A built layout or page module, as SvelteKit's server imports it. */
interface BuiltNode {
  server?: { csr?: boolean; load?: (event: unknown) => unknown };
  universal?: { csr?: boolean };
}
const builtNode = (index: number): Promise<BuiltNode> => import(pathToFileURL(`${output}server/nodes/${index}.js`).href);

/** The page's `csr` option as SvelteKit's server resolves it: the last of its nodes that sets one, else true. */
async function hydrates(route: string): Promise<boolean> {
  let csr: boolean | undefined;
  for (const index of nodesOf(route)) {
    const node = await builtNode(index);
    const value = node.universal?.csr ?? node.server?.csr;
    if (value !== undefined && typeof value !== 'boolean') throw new Error(`Route ${route}: csr is ${String(value)}, not a boolean.`);
    csr = value ?? csr;
  }
  return csr ?? true;
}

/**
 * Where the route sends a visitor without a session: its built page's server load run for one
 * (no cookies, the demo tenant), followed while it redirects to another page of the portal.
 */
async function signedOutRoute(route: string): Promise<{ route: string; via: string[] }> {
  const via: string[] = [];
  for (let hops = 0; hops < 5; hops++) {
    const leaf = nodesOf(route).at(-1)!;
    const load = (await builtNode(leaf)).server?.load;
    if (!load) return { route, via };
    const url = new URL(route, 'http://skyline.localhost');
    const event = {
      url,
      params: {},
      route: { id: route },
      locals: { session: null, lang: 'en', tenant: { tenantSlug: 'skyline', authTenantId: null, timeZone: 'UTC' } },
      cookies: { get: () => undefined, getAll: () => [], set: () => {}, delete: () => {}, serialize: () => '' },
      depends: () => {},
      parent: async () => ({}),
      setHeaders: () => {},
      fetch,
      request: new Request(url),
    };
    try {
      await load(event);
      return { route, via };
    } catch (thrown) {
      const r = thrown as { status?: number; location?: string };
      if (!r || typeof r.status !== 'number' || r.status < 300 || r.status > 399 || !r.location) throw thrown;
      via.push(`${route} ${r.status}`);
      route = new URL(r.location, url).pathname;
    }
  }
  throw new Error(`${route}: more than 5 redirects for a signed-out visitor.`);
}

/** How many `<script … src>` elements the route's built layout and page components write themselves. */
function ownScriptElements(route: string): number {
  let count = 0;
  for (const index of nodesOf(route)) {
    const component = /import\('(\.\.\/entries\/[^']+\.svelte\.js)'\)/.exec(readFileSync(`${output}server/nodes/${index}.js`, 'utf8'))?.[1];
    if (!component) continue;
    const source = readFileSync(new URL(component, pathToFileURL(`${output}server/nodes/`)), 'utf8');
    count += [...source.matchAll(/<script\b[^>]*\bsrc\b/g)].length;
  }
  return count;
}

function nodeImports(index: number): string[] {
  const source = readFileSync(`${output}server/nodes/${index}.js`, 'utf8');
  return quoted(/export const imports = \[([^\]]*)\]/.exec(source)?.[1] ?? '');
}

/** Vite's client manifest: a source module's chunk and the chunks it imports statically, transitively. */
const viteManifest = JSON.parse(readFileSync(`${output}client/.vite/manifest.json`, 'utf8')) as Record<string, { file: string; imports?: string[] }>;
function chunkWithImports(key: string, into = new Set<string>()): Set<string> {
  const entry = viteManifest[key];
  if (!entry) throw new Error(`No chunk for ${key} in the build.`);
  if (into.has(entry.file)) return into;
  into.add(entry.file);
  for (const dep of entry.imports ?? []) chunkWithImports(dep, into);
  return into;
}

const gzipCache = new Map<string, number>();
function gzipBytes(file: string): number {
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(`${output}client/${file}`), { level: 9 }).length;
    gzipCache.set(file, size);
  }
  return size;
}

/** The login library and the client GraphQL library: neither may be loaded up front by the start page. */
function heavyLibraries(files: string[]): string[] {
  const found = new Set<string>();
  for (const f of files) {
    const text = readFileSync(`${output}client/${f}`, 'utf8');
    // Strings only the libraries themselves carry: Firebase Auth's endpoint, Apollo Client's error links.
    if (text.includes('identitytoolkit.googleapis.com')) found.add('Firebase Auth');
    if (text.includes('go.apollo.dev')) found.add('Apollo Client');
  }
  return [...found];
}

let failed = false;
const rows: string[] = [];
for (const page of PAGES) {
  const { route, via } = page.signedOut ? await signedOutRoute(page.route) : { route: page.route, via: [] };
  const csr = await hydrates(route);
  const before = (page.before ?? []).flatMap((key) => [...chunkWithImports(key)]);
  // A page's own script elements are counted only as listed: one not listed would go uncounted.
  const written = ownScriptElements(route);
  if (written !== (page.scripts ?? []).length) throw new Error(`${page.name}: its components write ${written} script element(s) of their own, ${(page.scripts ?? []).length} listed in \`scripts\`.`);
  const scripts = (page.scripts ?? []).flatMap((key) => [...chunkWithImports(key)]);
  // Without SvelteKit's client the page's nodes never load, nor what its universal load imports.
  const kit = csr ? [...clientImports, ...nodesOf(route).flatMap(nodeImports), ...before] : [];
  const files = [...new Set([...kit, ...scripts])];
  const how = `${via.length ? `${via.join(' → ')} → ${route}, ` : ''}${csr ? 'hydrates' : 'csr = false'}`;
  const kb = files.reduce((sum, f) => sum + gzipBytes(f), 0) / 1024;
  const heavy = heavyLibraries(files);
  const over = page.budgetKb !== null && kb > page.budgetKb;
  // The signed-out landing must not carry the login library or the client GraphQL library up front.
  const forbidden = page.route === '/' && heavy.length > 0;
  const verdict = page.budgetKb === null ? 'report' : over || forbidden ? 'FAIL' : 'pass';
  if (verdict === 'FAIL') failed = true;
  if (process.argv.includes('--files')) {
    const sized = files.map((f) => ({ f, kb: gzipBytes(f) / 1024 })).sort((a, b) => b.kb - a.kb);
    console.log(`${page.name} (${how}):\n${sized.map(({ f, kb }) => `  ${kb.toFixed(1).padStart(6)} KB  ${f}`).join('\n')}`);
  }
  rows.push(
    `${page.name.padEnd(30)} ${kb.toFixed(1).padStart(6)} KB gzip  ${String(files.length).padStart(3)} files  budget ${page.budgetKb === null ? '   —' : `${String(page.budgetKb).padStart(3)} KB`}  ${verdict}${heavy.length ? `  (includes ${heavy.join(', ')})` : ''}  [${how}]`,
  );
}
console.log('JavaScript loaded up front (entry + static imports, gzip):');
for (const row of rows) console.log(`  ${row}`);
const passed = rows.filter((r) => / pass /.test(r)).length;
console.log(`${passed} passed, ${rows.filter((r) => / FAIL/.test(r)).length} failed`);
process.exit(failed ? 1 : 0);
