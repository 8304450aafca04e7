// Installs the embedded database that `npm start` and the tests run when MONGODB_URI is not set:
// mongo-java-server (with its H2 backend), fetched from Maven Central by the coordinates in
// scripts/embedded-db/pom.xml, and the project's small launcher (scripts/embedded-db/EmbeddedMongo.java)
// compiled next to it. Runs as the root `postinstall`; everything lands outside the clone (see
// embeddedDbHome() in packages/shared/src/embeddedDb.ts), so every checkout reuses one download.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '1.47.0';
const MIN_JAVA = 17;
const here = join(dirname(fileURLToPath(import.meta.url)), 'embedded-db');
const pom = join(here, 'pom.xml');
const source = join(here, 'EmbeddedMongo.java');

/** Same rule as embeddedDbHome() in packages/shared/src/embeddedDb.ts; keep the two in step. */
function embeddedDbHome() {
  if (process.env.EMBEDDED_DB_HOME) return process.env.EMBEDDED_DB_HOME;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'wisp-portal', `mongo-java-server-${VERSION}`);
}

const say = (line) => process.stdout.write(`[embedded-db] ${line}\n`);
const run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** Says why there is no embedded database and how to get one; never fails `npm install`. */
function skip(reason, remedy) {
  if (process.env.MONGODB_URI) {
    say(`${reason}; MONGODB_URI is set, so the embedded database is skipped.`);
  } else {
    say(`${reason}, so the embedded database (mongo-java-server ${VERSION}) cannot be installed.`);
    say(remedy);
    say('Or set MONGODB_URI to a MongoDB 7 server (a replica set in production).');
  }
  process.exit(0);
}

function javaMajor() {
  const probe = run('java', ['-version']);
  if (probe.error) return null;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!m) return null;
  return Number(m[1]) === 1 ? Number(m[2] ?? 0) : Number(m[1]);
}

if (process.env.SKIP_EMBEDDED_DB === '1') {
  say('SKIP_EMBEDDED_DB=1: not installing the embedded database.');
  process.exit(0);
}

const home = embeddedDbHome();
const lib = join(home, 'lib');
const launcher = join(home, 'launcher');
// The jars depend on pom.xml, the launcher on its source: each is redone only when its input changed.
const digest = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const stamp = (dir) => join(dir, '.source-sha256');
const fresh = (dir, file) => existsSync(stamp(dir)) && readFileSync(stamp(dir), 'utf8') === digest(file);

if (fresh(lib, pom) && fresh(launcher, source)) {
  say(`mongo-java-server ${VERSION} is installed: ${home}`);
  process.exit(0);
}

const java = javaMajor();
const javaHelp = `Install a JDK ${MIN_JAVA}+ and Maven (Debian: apt-get install -y openjdk-17-jdk-headless maven) and run \`npm install\` again.`;
if (java === null) skip('No Java runtime was found (no `java` on PATH)', javaHelp);
if (java < MIN_JAVA) skip(`Java ${java} is older than Java ${MIN_JAVA}`, javaHelp);
if (run('javac', ['-version']).error) skip('No Java compiler was found (no `javac` on PATH: a JRE without a JDK)', javaHelp);

const started = Date.now();
mkdirSync(home, { recursive: true });
try {
  if (!fresh(lib, pom)) {
    if (run('mvn', ['-v']).error) skip('Maven was not found (no `mvn` on PATH)', javaHelp);
    say(`Fetching mongo-java-server ${VERSION} and its dependencies with Maven...`);
    const tmp = `${lib}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    const fetch = run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`]);
    if (fetch.status !== 0) throw Object.assign(new Error('Fetching the embedded database with Maven failed.'), { output: `${fetch.stdout}\n${fetch.stderr}` });
    writeFileSync(stamp(tmp), digest(pom));
    rmSync(lib, { recursive: true, force: true });
    renameSync(tmp, lib);
  }
  if (!fresh(launcher, source)) {
    say('Compiling the launcher...');
    const tmp = `${launcher}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    const compile = run('javac', ['--release', String(MIN_JAVA), '-cp', join(lib, '*'), '-d', tmp, source]);
    if (compile.status !== 0) throw Object.assign(new Error('Compiling the embedded database launcher failed.'), { output: `${compile.stdout}\n${compile.stderr}` });
    writeFileSync(stamp(tmp), digest(source));
    rmSync(launcher, { recursive: true, force: true });
    renameSync(tmp, launcher);
  }
  say(`Installed mongo-java-server ${VERSION} in ${home} (${Math.round((Date.now() - started) / 1000)} s).`);
} catch (err) {
  const tail = String(err.output ?? '').trim().split('\n').slice(-30).join('\n');
  process.stderr.write(`[embedded-db] ${err.message}\n`);
  if (tail) process.stderr.write(`${tail}\n`);
  process.stderr.write('[embedded-db] Fix the problem above and run `npm install` again, or set MONGODB_URI to a MongoDB 7 server.\n');
  process.exitCode = 1;
}
