/**
 * The JavaScript each portal page makes the browser load before it can run: SvelteKit's client
 * entry (start + app) and the page's layout and page nodes with all their static imports — exactly
 * the modules the server's HTML preloads — plus, for the customer dashboard, the component its
 * universal load imports before hydrating (it always loads, so it counts). Other dynamic
 * `import()`s (the login library on submit, the staff dashboard) are not counted: they load only
 * when used. Sizes are gzip (level 9) of the built files, summed once per file.
 *
 *   npm run build -w @wisp/portal && npm run bench:portal-budgets [-- --files]
 *
 * `--files` lists each page's files with their gzip sizes, largest first.
 *
 * Exits 1 when a page is over its budget.
 */
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const output = fileURLToPath(new URL('../portal/.svelte-kit/output/', import.meta.url));
const manifestPath = `${output}server/manifest.js`;
if (!existsSync(manifestPath)) {
  console.error('No built portal: run `npm run build -w @wisp/portal` first.');
  process.exit(1);
}

interface Page {
  name: string;
  route: string;
  /** Source modules the page always imports before it hydrates (its universal load's `import()`). */
  before?: string[];
  /** Most gzip KB up front; null for a page that is only reported. */
  budgetKb: number | null;
}

const PAGES: Page[] = [
  { name: 'signed-out landing (/)', route: '/', budgetKb: 40 },
  { name: 'customer dashboard (/)', route: '/', before: ['src/routes/CustomerDashboard.svelte'], budgetKb: 90 },
  { name: 'ticket page (/tickets/[id])', route: '/tickets/[id]', budgetKb: null },
  { name: 'tickets list (/tickets)', route: '/tickets', budgetKb: null },
  { name: 'staff dashboard (/)', route: '/', before: ['src/routes/StaffDashboard.svelte'], budgetKb: null },
  { name: 'staff queue (/staff/queue)', route: '/staff/queue', budgetKb: null },
  { name: 'staff ticket (/staff/tickets/[id])', route: '/staff/tickets/[id]', budgetKb: null },
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
  const before = (page.before ?? []).flatMap((key) => [...chunkWithImports(key)]);
  const files = [...new Set([...clientImports, ...nodesOf(page.route).flatMap(nodeImports), ...before])];
  const kb = files.reduce((sum, f) => sum + gzipBytes(f), 0) / 1024;
  const heavy = heavyLibraries(files);
  const over = page.budgetKb !== null && kb > page.budgetKb;
  // The signed-out landing must not carry the login library or the client GraphQL library up front.
  const forbidden = page.route === '/' && heavy.length > 0;
  const verdict = page.budgetKb === null ? 'report' : over || forbidden ? 'FAIL' : 'pass';
  if (verdict === 'FAIL') failed = true;
  if (process.argv.includes('--files')) {
    const sized = files.map((f) => ({ f, kb: gzipBytes(f) / 1024 })).sort((a, b) => b.kb - a.kb);
    console.log(`${page.name}:\n${sized.map(({ f, kb }) => `  ${kb.toFixed(1).padStart(6)} KB  ${f}`).join('\n')}`);
  }
  rows.push(
    `${page.name.padEnd(30)} ${kb.toFixed(1).padStart(6)} KB gzip  ${String(files.length).padStart(3)} files  budget ${page.budgetKb === null ? '   —' : `${String(page.budgetKb).padStart(3)} KB`}  ${verdict}${heavy.length ? `  (includes ${heavy.join(', ')})` : ''}`,
  );
}
console.log('JavaScript loaded up front (entry + static imports, gzip):');
for (const row of rows) console.log(`  ${row}`);
const passed = rows.filter((r) => r.endsWith('pass') || / pass {2}\(/.test(r)).length;
console.log(`${passed} passed, ${rows.filter((r) => / FAIL/.test(r)).length} failed`);
process.exit(failed ? 1 : 0);
