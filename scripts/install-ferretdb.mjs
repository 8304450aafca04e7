// Builds the embedded database (FerretDB, SQLite backend) that `npm start` and the tests run when
// MONGODB_URI is not set. Runs as the root `postinstall`; the binary is cached outside the clone
// (see ferretDbBinary() in packages/shared/src/ferretdb.ts), so every checkout reuses one build.
//
// A plain `go install` is not enough: the module archive lacks build/version/version.txt, which
// FerretDB embeds and validates at start-up, so that binary panics. We build from a writable copy of
// the module with the version file written in.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';
/** FerretDB's go.mod says `go 1.24`; with GOTOOLCHAIN=local an older Go refuses to build it. */
const MIN_GO = [1, 24];

/** Same rule as ferretDbBinary() in packages/shared/src/ferretdb.ts; keep the two in step. */
function ferretDbBinary() {
  if (process.env.FERRETDB_BIN) return process.env.FERRETDB_BIN;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'wisp-portal', `ferretdb-${VERSION}`);
}

const say = (line) => process.stdout.write(`[ferretdb] ${line}\n`);

// GOFLAGS is replaced so a user's own flags (e.g. -mod=vendor) cannot break this build;
// GOTOOLCHAIN=local keeps Go from fetching a different toolchain behind the user's back.
const goEnv = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };

function go(args, cwd) {
  return spawnSync('go', args, { cwd, env: goEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Prints why there is no embedded database and how to get one; never fails `npm install`. */
function skipWithoutGo(reason) {
  if (process.env.MONGODB_URI) {
    say(`${reason}; MONGODB_URI is set, so the embedded database is skipped.`);
  } else {
    say(`${reason}, so the embedded database (FerretDB ${VERSION}) cannot be built.`);
    say(`Install Go ${MIN_GO.join('.')} or newer and run \`npm install\` again,`);
    say('or set MONGODB_URI to a MongoDB 7 server (a replica set in production).');
  }
  process.exit(0);
}

/** The module cache is read-only; the copy must be writable to add the version file and to delete it. */
function makeWritable(path) {
  const stat = statSync(path);
  chmodSync(path, stat.isDirectory() ? 0o755 : stat.mode | 0o200);
  if (stat.isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

class BuildError extends Error {
  constructor(message, output) {
    super(message);
    this.output = output;
  }
}

function fail(message, output) {
  throw new BuildError(message, output);
}

const bin = ferretDbBinary();

if (process.env.SKIP_FERRETDB_BUILD === '1') {
  say('SKIP_FERRETDB_BUILD=1: not building the embedded database.');
  process.exit(0);
}
if (existsSync(bin)) {
  say(`FerretDB ${VERSION} is already built: ${bin}`);
  process.exit(0);
}

const probe = go(['env', 'GOVERSION']);
if (probe.error) skipWithoutGo(probe.error.code === 'ENOENT' ? 'Go is not installed (no `go` on PATH)' : `\`go\` could not run (${probe.error.message})`);
const goVersion = probe.stdout.trim();
const [major = 0, minor = 0] = (/^go(\d+)\.(\d+)/.exec(goVersion) ?? []).slice(1).map(Number);
if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
  skipWithoutGo(`${goVersion || 'This Go'} is older than go${MIN_GO.join('.')}`);
}

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'wisp-ferretdb-'));
const tmpBin = `${bin}.tmp`;
try {
  say(`Building FerretDB ${VERSION} with ${goVersion} (a minute or two, once per machine)...`);

  say(`Downloading ${MODULE}@${VERSION}...`);
  const download = go(['mod', 'download', '-json', `${MODULE}@${VERSION}`], work);
  let moduleDir;
  try {
    moduleDir = JSON.parse(download.stdout).Dir;
  } catch {
    /* reported below */
  }
  if (download.status !== 0 || !moduleDir) fail(`Downloading ${MODULE}@${VERSION} failed.`, `${download.stdout ?? ''}\n${download.stderr ?? ''}`);

  const src = join(work, 'src');
  cpSync(moduleDir, src, { recursive: true });
  makeWritable(src);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${VERSION}\n`);

  say('Compiling ./cmd/ferretdb...');
  mkdirSync(dirname(bin), { recursive: true });
  const build = go(['build', '-buildvcs=false', '-o', tmpBin, './cmd/ferretdb'], src);
  if (build.status !== 0) fail(`Building FerretDB ${VERSION} failed.`, `${build.stdout ?? ''}\n${build.stderr ?? ''}`);

  renameSync(tmpBin, bin);
  say(`Built ${bin} in ${Math.round((Date.now() - started) / 1000)} s.`);
} catch (err) {
  const output = err instanceof BuildError ? err.output : '';
  const tail = (output ?? '').trim().split('\n').slice(-30).join('\n');
  process.stderr.write(`[ferretdb] ${err instanceof Error ? err.message : String(err)}\n`);
  if (tail) process.stderr.write(`${tail}\n`);
  process.stderr.write('[ferretdb] Fix the problem above and run `npm install` again, or set MONGODB_URI to a MongoDB 7 server.\n');
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(tmpBin, { force: true });
}
