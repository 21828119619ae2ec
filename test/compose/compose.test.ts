import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, posix, relative } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@syncvault/daemon/config';
import { SYNCVAULT_CLI, REPO_ROOT } from '../support/repo.js';
import { loadComposeFile, type ComposeFile, type ComposeService } from './compose-file.js';
import { dockerignoreMatcher, finalStage, readDockerfile, type Dockerfile, type Stage } from './dockerfile.js';

const run = promisify(execFile);

const DEFAULT_SERVICES = ['daemon', 'dashboard', 'postgres', 'redis'];
const SELFHOSTED_SERVICES = ['syncserver', 'syncserver-db'];
/** Set by the Node.js images and read by Node and libraries, not by the daemon's configuration. */
const RUNTIME_VARIABLES = new Set(['NODE_ENV']);

const compose = loadComposeFile();
const isIgnoredByDocker = dockerignoreMatcher(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));

function service(name: string): ComposeService {
  const found = compose.services.get(name);
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

function dockerfileOf(entry: ComposeService): Dockerfile {
  assert.ok(entry.build, `service ${entry.name} is not built from this repository`);
  const path = join(REPO_ROOT, entry.build.context, entry.build.dockerfile);
  assert.ok(existsSync(path), `service ${entry.name} builds from ${entry.build.dockerfile}, which does not exist`);
  return readDockerfile(path);
}

function stageNamed(dockerfile: Dockerfile, name: string): Stage {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  assert.ok(stage, `no build stage named ${name}`);
  return stage;
}

/** The healthcheck a container of this service runs: the compose file's, else its image's. */
function healthcheckOf(entry: ComposeService): string[] | undefined {
  if (entry.healthcheck !== undefined) return entry.healthcheck.disable || entry.healthcheck.test[0] === 'NONE' ? undefined : entry.healthcheck.test;
  return entry.build === undefined ? undefined : finalStage(dockerfileOf(entry)).healthcheck;
}

/** What a container of a built service sees: the image's ENV, then the compose file's environment. */
function containerEnvironment(entry: ComposeService): Map<string, string> {
  const image = entry.build === undefined ? new Map<string, string>() : finalStage(dockerfileOf(entry)).env;
  return new Map([...image, ...entry.environment]);
}

/** Every variable loadConfig() reads, recorded by running it on an environment that logs its reads. */
function variablesTheDaemonReads(): Set<string> {
  const read = new Set<string>();
  const recorder = new Proxy<Record<string, string | undefined>>({}, {
    get(_target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  loadConfig(recorder);
  return read;
}

function namedVolumes(entry: ComposeService): { source: string; target: string }[] {
  return entry.volumes.filter((volume) => volume.source !== '' && !/^[./~]/.test(volume.source));
}

function secretFile(file: ComposeFile, name: string): string {
  const secret = file.secrets.get(name);
  assert.ok(secret, `secret ${name} is not declared at the top level`);
  assert.ok(secret.file, `secret ${name} must come from a file`);
  return posix.normalize(secret.file);
}

/** The source file a path in the final image comes from (a COPY from the build context). */
function copiedFrom(stage: Stage, imagePath: string): string | undefined {
  for (const copy of stage.copies) {
    if (copy.from !== undefined) continue;
    for (const source of copy.sources) {
      const destination = copy.destination.endsWith('/') ? posix.join(copy.destination, posix.basename(source)) : copy.destination;
      if (destination === imagePath) return source;
    }
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('runs postgres, redis, daemon and dashboard by default, and syncstorage-rs with its database only in the selfhosted profile', () => {
    const byDefault = [...compose.services.values()].filter((entry) => entry.profiles.length === 0).map((entry) => entry.name);
    assert.deepEqual(byDefault.sort(), DEFAULT_SERVICES);
    const profiled = [...compose.services.values()].filter((entry) => entry.profiles.length > 0);
    assert.deepEqual(profiled.map((entry) => entry.name).sort(), SELFHOSTED_SERVICES);
    for (const entry of profiled) assert.deepEqual(entry.profiles, ['selfhosted'], `${entry.name} belongs to the selfhosted profile only`);

    assert.match(service('syncserver').image ?? '', /^ghcr\.io\/mozilla-services\/syncstorage-rs\/syncserver-postgres:/);
    assert.match(service('syncserver-db').image ?? '', /^postgres:\d+/);
    assert.equal(service('syncserver').dependsOn.get('syncserver-db'), 'service_healthy');

    // A default service cannot wait for one that only a profile starts.
    for (const name of DEFAULT_SERVICES) {
      for (const dependency of service(name).dependsOn.keys()) assert.ok(DEFAULT_SERVICES.includes(dependency), `${name} depends on ${dependency}, which is not started by default`);
    }
  });

  it('gives every service a healthcheck and starts a service only once what it needs is healthy', () => {
    for (const entry of compose.services.values()) {
      const probe = healthcheckOf(entry);
      assert.ok(probe !== undefined && probe.length > 0, `${entry.name} has no healthcheck`);
      for (const [dependency, condition] of entry.dependsOn) {
        assert.equal(condition, 'service_healthy', `${entry.name} starts without waiting for ${dependency} to be healthy`);
        assert.ok(compose.services.has(dependency), `${entry.name} depends on an unknown service ${dependency}`);
      }
    }
    assert.deepEqual([...service('daemon').dependsOn.keys()].sort(), ['postgres', 'redis']);
    assert.deepEqual([...service('dashboard').dependsOn.keys()], ['daemon']);
    assert.deepEqual(healthcheckOf(service('postgres'))?.slice(0, 2), ['CMD', 'pg_isready']);
    assert.deepEqual(healthcheckOf(service('redis')), ['CMD', 'redis-cli', 'ping']);
    assert.ok(healthcheckOf(service('syncserver'))?.some((word) => word.endsWith(`:${service('syncserver').environment.get('SYNC_PORT')}/__heartbeat__`)), 'the Sync server healthcheck asks its heartbeat on its port');
  });

  it('keeps state on named volumes, each declared at the top level and used by a service', () => {
    const used = new Set([...compose.services.values()].flatMap((entry) => namedVolumes(entry).map((volume) => volume.source)));
    assert.deepEqual([...used].sort(), [...compose.volumes].sort());

    const mountedAt = (name: string) => namedVolumes(service(name)).map((volume) => volume.target);
    assert.deepEqual(mountedAt('postgres'), ['/var/lib/postgresql/data']);
    assert.deepEqual(mountedAt('syncserver-db'), ['/var/lib/postgresql/data']);
    assert.deepEqual(mountedAt('redis'), ['/data']);
    assert.ok(service('redis').command.join(' ').includes('--appendonly yes'), 'Redis writes its queues to the volume');
    assert.deepEqual(mountedAt('daemon'), [containerEnvironment(service('daemon')).get('SYNCVAULT_DATA_DIR')]);
  });

  it('gives the daemon only variables its configuration reads, with values loadConfig accepts', () => {
    const daemon = service('daemon');
    const environment = containerEnvironment(daemon);
    const known = variablesTheDaemonReads();
    assert.ok(known.has('DATABASE_URL') && known.has('SYNCVAULT_MASTER_KEY_FILE'), 'the recorder sees what loadConfig reads');
    for (const name of environment.keys()) {
      assert.ok(known.has(name) || RUNTIME_VARIABLES.has(name), `the daemon is given ${name}, which apps/daemon/src/config/config.ts does not read`);
    }

    const config = loadConfig(Object.fromEntries(environment));
    assert.equal(config.host, '0.0.0.0', 'the API listens beyond the container');
    assert.equal(config.logFormat, 'json');

    const postgres = service('postgres').environment;
    const database = new URL(config.databaseUrl);
    assert.equal(database.hostname, 'postgres');
    assert.equal(database.port || '5432', '5432');
    assert.equal(decodeURIComponent(database.username), postgres.get('POSTGRES_USER'));
    assert.equal(decodeURIComponent(database.password), postgres.get('POSTGRES_PASSWORD'));
    assert.equal(database.pathname, `/${postgres.get('POSTGRES_DB')}`);
    const redis = new URL(config.redisUrl);
    assert.deepEqual([redis.hostname, redis.port], ['redis', '6379']);

    assert.equal(service('dashboard').environment.get('SYNCVAULT_API_URL'), `http://daemon:${config.port}`);
  });

  it('takes the vault key and the Sync server secret from secret files that git and image builds ignore', () => {
    const daemon = service('daemon');
    assert.ok(!containerEnvironment(daemon).has('SYNCVAULT_MASTER_KEY'), 'no inline vault key');
    const keyFile = loadConfig(Object.fromEntries(containerEnvironment(daemon))).masterKeyFile;
    const keySecret = daemon.secrets.find((secret) => secret.target === keyFile);
    assert.ok(keySecret, `SYNCVAULT_MASTER_KEY_FILE (${keyFile}) is not where one of the daemon's secrets is mounted`);

    const syncserver = service('syncserver');
    assert.ok(!syncserver.environment.has('SYNC_MASTER_SECRET'), 'no inline Sync master secret');
    const [serverSecret] = syncserver.secrets;
    assert.ok(serverSecret, 'the Sync server has a secret');
    assert.ok(syncserver.entrypoint.join(' ').includes(`SYNC_MASTER_SECRET="$(cat ${serverSecret.target})"`), 'the Sync server entrypoint reads SYNC_MASTER_SECRET from its secret file');
    assert.match(syncserver.entrypoint.join(' '), /exec \/app\/bin\/syncserver$/);

    const secretsIgnore = readFileSync(join(REPO_ROOT, 'docker', 'secrets', '.gitignore'), 'utf8').split('\n');
    assert.ok(secretsIgnore.includes('*') && secretsIgnore.includes('!.gitignore'), 'docker/secrets/.gitignore keeps every key out of git');
    for (const name of [keySecret.source, serverSecret.source]) {
      const file = secretFile(compose, name);
      assert.equal(posix.dirname(file), 'docker/secrets', `secret ${name} lives in docker/secrets/`);
      assert.ok(isIgnoredByDocker(file), `${file} must be excluded from image build contexts by .dockerignore`);
    }

    for (const entry of compose.services.values()) {
      for (const name of entry.environment.keys()) {
        assert.ok(!/(?:SECRET|MASTER_KEY)$/.test(name), `${entry.name} gets ${name} inline; use a secret`);
      }
    }
  });

  it('publishes the API, the dashboard and the Sync server on the ports they listen on, on 127.0.0.1 unless told otherwise', () => {
    const daemonPort = loadConfig(Object.fromEntries(containerEnvironment(service('daemon')))).port;
    const listensOn = new Map([
      ['daemon', daemonPort],
      ['dashboard', Number(containerEnvironment(service('dashboard')).get('PORT'))],
      ['syncserver', Number(service('syncserver').environment.get('SYNC_PORT'))],
    ]);
    for (const entry of compose.services.values()) {
      const port = listensOn.get(entry.name);
      if (port === undefined) {
        assert.deepEqual(entry.ports, [], `${entry.name} is reachable only inside the compose network`);
        continue;
      }
      assert.deepEqual(
        entry.ports.map((published) => [published.hostIp, published.target]),
        [['127.0.0.1', port]],
        `${entry.name} publishes the port it listens on, on loopback by default`,
      );
    }
  });

  it('configures syncstorage-rs for its own PostgreSQL with the settings its documentation names', () => {
    const server = service('syncserver').environment;
    const database = service('syncserver-db').environment;
    assert.equal(server.get('SYNC_HOST'), '0.0.0.0');
    for (const name of ['SYNC_SYNCSTORAGE__DATABASE_URL', 'SYNC_TOKENSERVER__DATABASE_URL']) {
      const url = new URL(server.get(name) ?? '');
      assert.equal(url.protocol, 'postgres:', `${name} is a PostgreSQL URL (the image is the postgres build)`);
      assert.equal(url.hostname, 'syncserver-db');
      assert.equal(url.username, database.get('POSTGRES_USER'));
      assert.equal(url.password, database.get('POSTGRES_PASSWORD'));
      assert.equal(url.pathname, `/${database.get('POSTGRES_DB')}`);
    }
    assert.equal(server.get('SYNC_TOKENSERVER__NODE_TYPE'), 'postgres');
    assert.equal(server.get('SYNC_TOKENSERVER__ENABLED'), 'true');
    assert.equal(server.get('SYNC_TOKENSERVER__RUN_MIGRATIONS'), 'true');
    assert.equal(server.get('SYNC_TOKENSERVER__FXA_OAUTH_SERVER_URL'), 'https://oauth.accounts.firefox.com');
    assert.doesNotThrow(() => new URL(server.get('SYNC_TOKENSERVER__INIT_NODE_URL') ?? ''), 'the storage node URL handed out by the tokenserver');
  });

  it('is accepted by the Docker Compose CLI when one is installed', async (t: TestContext) => {
    const cli = await composeCli();
    if (cli.command === undefined) {
      t.diagnostic(`not checked with a Compose CLI: none is installed here (${cli.reason})`);
      assert.match(cli.reason, /unknown command|not a docker command|ENOENT/, 'the Compose CLI is absent, not broken');
      return;
    }
    const [program = '', ...prefix] = cli.command;
    const composeCommand = (...args: string[]) =>
      run(program, [...prefix, ...args], { cwd: REPO_ROOT }).catch((error: { stderr?: string }) => assert.fail(`${cli.command?.join(' ')} ${args.join(' ')} rejects docker-compose.yml: ${error.stderr ?? String(error)}`));
    await composeCommand('config', '--quiet');
    // Compose v1 lists every service whatever the profile; v2 only the active ones: with the
    // profile on, both must list all six.
    const { stdout } = await composeCommand('--profile', 'selfhosted', 'config', '--services');
    assert.deepEqual(stdout.split('\n').filter((line) => line !== '').sort(), [...DEFAULT_SERVICES, ...SELFHOSTED_SERVICES].sort());
    t.diagnostic(`validated with ${cli.command.join(' ')} (${cli.version})`);
  });
});

async function composeCli(): Promise<{ command?: string[]; version?: string; reason: string }> {
  const reasons: string[] = [];
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const [program = '', ...prefix] = command;
    try {
      const { stdout } = await run(program, [...prefix, 'version']);
      return { command, version: stdout.trim().split('\n')[0] ?? '', reason: '' };
    } catch (error) {
      const failure = error as { code?: string; stderr?: string };
      reasons.push(`${command.join(' ')}: ${failure.code === 'ENOENT' ? 'ENOENT' : (failure.stderr ?? '').trim().split('\n')[0]}`);
    }
  }
  return { reason: reasons.join('; ') };
}

describe('Dockerfiles', () => {
  const built = [...compose.services.values()].filter((entry) => entry.build !== undefined);
  const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

  it('exist where the compose file builds from and build on Node 20 slim images, ending as an unprivileged user', () => {
    assert.deepEqual(built.map((entry) => entry.name).sort(), ['daemon', 'dashboard']);
    assert.match(engines, /^>=20\./, 'the images follow the Node version package.json asks for');
    for (const entry of built) {
      const dockerfile = dockerfileOf(entry);
      for (const stage of dockerfile.stages) assert.equal(stage.image, 'node:20-bookworm-slim', `${entry.name}: stage ${stage.name ?? '(final)'}`);
      const user = finalStage(dockerfile).user;
      assert.ok(user !== undefined && !['root', '0'].includes(user.split(':')[0] ?? ''), `${entry.name} runs as an unprivileged user`);
    }
  });

  it('copy only files that exist in the repository and are part of the build context', () => {
    for (const entry of built) {
      const dockerfile = dockerfileOf(entry);
      const context = join(REPO_ROOT, entry.build?.context ?? '.');
      const stageNames = new Set<string>();
      for (const stage of dockerfile.stages) {
        for (const copy of stage.copies) {
          if (copy.from !== undefined) {
            assert.ok(stageNames.has(copy.from), `${entry.name}: COPY --from=${copy.from} names no earlier stage`);
            continue;
          }
          for (const source of copy.sources) {
            assert.ok(existsSync(join(context, source)), `${entry.name}: COPY ${source} does not exist in the repository`);
            assert.ok(!isIgnoredByDocker(source), `${entry.name}: COPY ${source} is excluded by .dockerignore`);
          }
        }
        if (stage.name !== undefined) stageNames.add(stage.name);
      }
    }
  });

  it('start the daemon from the compiled CLI, after migrating with the Prisma script the image ships', () => {
    const dockerfile = dockerfileOf(service('daemon'));
    const image = finalStage(dockerfile);
    const [entrypoint] = image.entrypoint ?? [];
    assert.ok(entrypoint, 'the daemon image has an entrypoint');
    const script = copiedFrom(image, entrypoint);
    assert.equal(script, 'docker/daemon-entrypoint.sh', `the entrypoint ${entrypoint} is copied from the repository`);
    assert.doesNotThrow(() => accessSync(join(REPO_ROOT, script), constants.X_OK), 'the entrypoint script is executable');
    assert.equal(image.copies.find((copy) => copy.sources.includes(script))?.chmod, '0755', 'and stays so whatever the checkout did');

    const text = readFileSync(join(REPO_ROOT, script), 'utf8');
    const appDir = image.workdir;
    assert.match(text, new RegExp(`cd ${appDir}\\n`), 'the script runs from the image WORKDIR');
    const cli = /exec node (\S+) "\$@"/.exec(text)?.[1];
    const migrate = /node (\S+) migrate deploy/.exec(text)?.[1];
    assert.ok(cli && migrate, 'the script migrates, then execs the CLI with its arguments');

    // The CLI path is where tsc puts apps/daemon/src/cli.ts, the same file the package's bin runs.
    assert.equal(join(REPO_ROOT, cli), SYNCVAULT_CLI);
    const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/daemon/tsconfig.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    assert.deepEqual([tsconfig.compilerOptions.rootDir, tsconfig.compilerOptions.outDir], ['.', 'dist']);
    assert.ok(existsSync(join(REPO_ROOT, 'apps/daemon/src/cli.ts')) && existsSync(SYNCVAULT_CLI), 'cli.ts compiles to the path the image runs');
    assert.ok(statSync(join(REPO_ROOT, migrate)).isFile(), `${migrate} exists`);
    assert.equal(copiedFrom(image, posix.join(appDir, migrate)), migrate, `the image ships ${migrate}`);
    for (const path of ['prisma.config.ts', 'prisma']) assert.ok(image.copies.some((copy) => copy.from === undefined && copy.sources.includes(path)), `the image ships ${path} for migrate deploy`);

    // Compiled output of the daemon and of every workspace it links, from the build stage.
    const daemonPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/daemon/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const workspaces = Object.keys(daemonPackage.dependencies).filter((name) => name.startsWith('@syncvault/'));
    const workspaceDirs = ['apps/daemon', ...workspaces.map((name) => relative(REPO_ROOT, realpathSync(join(REPO_ROOT, 'node_modules', name))))];
    assert.ok(workspaceDirs.includes('packages/sync-crypto') && workspaceDirs.includes('apps/sandbox'), 'the workspaces resolve to their directories');
    const buildStage = stageNamed(dockerfile, 'build');
    for (const dir of workspaceDirs) {
      assert.ok(
        image.copies.some((copy) => copy.from === 'build' && copy.sources.includes(posix.join(buildStage.workdir, dir, 'dist')) && copy.destination === posix.join(appDir, dir, 'dist')),
        `the image copies ${dir}/dist from the build stage`,
      );
    }
    assert.ok(buildStage.runs.some((command) => command.includes('tsc -b apps/daemon')), 'the build stage compiles the daemon with its references');
  });

  it('give the daemon image the Prisma CLI: npm --omit=dev keeps it because it is not a dev-only package', () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const prisma = lock.packages['node_modules/prisma'];
    assert.ok(prisma, 'prisma is in the lockfile');
    assert.notEqual(prisma.dev, true, 'a dev-only prisma would be pruned from the image and migrate deploy would fail');
    const deps = stageNamed(dockerfileOf(service('daemon')), 'deps');
    assert.ok(deps.runs.some((command) => command.includes('--omit=dev') && command.includes("require.resolve('prisma/build/index.js')")), 'the deps stage fails the build when prisma goes missing');
  });

  it('run the daemon with a command its CLI defines', () => {
    const [command] = finalStage(dockerfileOf(service('daemon'))).cmd ?? [];
    assert.ok(command, 'the daemon image has a default command');
    const sources = [join(REPO_ROOT, 'apps/daemon/src/cli.ts'), ...listTypeScript(join(REPO_ROOT, 'apps/daemon/src/cli'))];
    const defined = sources.some((file) => new RegExp(`[Cc]ommand\\(\\s*['"]${command}\\b`).test(readFileSync(file, 'utf8')));
    assert.ok(defined, `the image runs \`syncvault ${command}\`, which apps/daemon/src/cli does not define`);
  });

  it('serve the dashboard from the Next.js standalone output', () => {
    const dockerfile = dockerfileOf(service('dashboard'));
    const image = finalStage(dockerfile);
    assert.match(readFileSync(join(REPO_ROOT, 'apps/dashboard/next.config.ts'), 'utf8'), /output:\s*'standalone'/);
    const build = stageNamed(dockerfile, 'build');
    const dashboardDir = 'apps/dashboard';
    const nextDir = posix.join(build.workdir, dashboardDir, '.next');
    // Next.js traces from the workspace root (the lockfile's directory), so the standalone tree
    // repeats the app's path from there.
    assert.ok(existsSync(join(REPO_ROOT, 'package-lock.json')) && existsSync(join(REPO_ROOT, dashboardDir, 'package.json')));
    const copied = (source: string) => image.copies.find((copy) => copy.from === 'build' && copy.sources.includes(source))?.destination;
    assert.equal(copied(posix.join(nextDir, 'standalone')), `${image.workdir}/`);
    assert.equal(copied(posix.join(nextDir, 'static')), posix.join(image.workdir, dashboardDir, '.next/static'));
    assert.deepEqual(image.cmd, ['node', posix.join(dashboardDir, 'server.js')]);
    assert.equal(image.env.get('HOSTNAME'), '0.0.0.0', 'the server listens beyond the container');

    const localBuild = join(REPO_ROOT, dashboardDir, '.next', 'standalone');
    if (existsSync(localBuild)) assert.ok(existsSync(join(localBuild, dashboardDir, 'server.js')), 'a local `npm run build:dashboard` puts server.js where the image runs it');
  });

  it('probe health with commands that pass on a healthy server and fail otherwise', async () => {
    const probes: [string, string, string][] = [
      ['daemon', 'SYNCVAULT_PORT', '/health'],
      ['dashboard', 'PORT', '/'],
    ];
    for (const [name, portVariable, path] of probes) {
      const probe = healthcheckOf(service(name));
      assert.ok(probe && probe[0] === 'node' && probe[1] === '-e', `${name} probes with node -e (slim images have no curl)`);
      for (const status of [200, 503]) {
        const requested: string[] = [];
        const server = createServer((request, response) => {
          requested.push(request.url ?? '');
          response.writeHead(status).end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const { port } = server.address() as AddressInfo;
          const env = { PATH: process.env['PATH'] ?? '', [portVariable]: String(port) };
          const healthy: boolean = await run(process.execPath, probe.slice(1), { env }).then(
            () => true,
            () => false,
          );
          assert.equal(healthy, status === 200, `${name} healthcheck with a ${status} answer`);
          assert.deepEqual(requested, [path]);
        } finally {
          server.close();
        }
      }
    }
  });
});

function listTypeScript(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}
