import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/repo.js';

/**
 * docker-compose.yml read the way `docker compose config` sees it with nothing set in the
 * environment: every `${VAR:-default}` takes its default. Only the parts the tests look at are
 * typed, in one normalized shape whichever syntax (short or long) the file uses.
 */
export interface ComposeFile {
  services: Map<string, ComposeService>;
  volumes: Set<string>;
  secrets: Map<string, { file?: string; environment?: string }>;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  profiles: string[];
  environment: Map<string, string>;
  healthcheck?: { test: string[]; disable: boolean };
  dependsOn: Map<string, string>;
  volumes: { source: string; target: string }[];
  ports: { hostIp: string; published: string; target: number }[];
  secrets: { source: string; target: string }[];
  entrypoint: string[];
  command: string[];
}

export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

type Env = Record<string, string | undefined>;

/** Compose variable interpolation: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}. */
export function interpolate(text: string, env: Env): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char !== '$') {
      out += char;
      i += 1;
    } else if (text[i + 1] === '$') {
      out += '$';
      i += 2;
    } else if (text[i + 1] === '{') {
      let depth = 1;
      let end = i + 2;
      while (end < text.length && depth > 0) {
        if (text[end] === '{') depth += 1;
        if (text[end] === '}') depth -= 1;
        end += 1;
      }
      if (depth !== 0) throw new Error(`unclosed \${ in ${JSON.stringify(text)}`);
      out += substitute(text.slice(i + 2, end - 1), env);
      i = end;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name === undefined) throw new Error(`a lone $ in ${JSON.stringify(text)} (write $$)`);
      out += env[name] ?? '';
      i += 1 + name.length;
    }
  }
  return out;
}

function substitute(expression: string, env: Env): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expression);
  if (match === null) throw new Error(`not a variable expression: \${${expression}}`);
  const [, name = '', operator, operand = ''] = match;
  const value = env[name];
  const unset = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (operator?.replace(':', '')) {
    case undefined:
      return value ?? '';
    case '-':
      return unset ? interpolate(operand, env) : (value ?? '');
    case '?':
      if (unset) throw new Error(`\${${name}} is required: ${operand}`);
      return value ?? '';
    default:
      return unset ? '' : interpolate(operand, env);
  }
}

function interpolateDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, env)]));
  }
  return value;
}

type Node = Record<string, unknown>;

function record(value: unknown, where: string): Node {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be a mapping`);
  return value as Node;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be a list`);
  return value;
}

function words(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter((word) => word !== '');
  return list(value, where).map(String);
}

function environment(value: unknown, where: string): Map<string, string> {
  if (Array.isArray(value)) {
    return new Map(
      value.map((entry) => {
        const text = String(entry);
        const equals = text.indexOf('=');
        return equals < 0 ? [text, ''] : [text.slice(0, equals), text.slice(equals + 1)];
      }),
    );
  }
  return new Map(Object.entries(record(value, where)).map(([key, item]) => [key, item === null ? '' : String(item)]));
}

function port(value: unknown, where: string): ComposeService['ports'][number] {
  if (typeof value === 'object' && value !== null) {
    const long = value as Node;
    return { hostIp: String(long['host_ip'] ?? ''), published: String(long['published'] ?? ''), target: Number(long['target']) };
  }
  const parts = String(value).replace(/\/(tcp|udp)$/, '').split(':');
  const target = Number(parts.at(-1));
  if (!Number.isInteger(target)) throw new Error(`${where}: cannot read the container port of ${String(value)}`);
  return { hostIp: parts.length === 3 ? (parts[0] ?? '') : '', published: parts.length >= 2 ? (parts.at(-2) ?? '') : '', target };
}

function mount(value: unknown, where: string): ComposeService['volumes'][number] {
  if (typeof value === 'object' && value !== null) {
    const long = value as Node;
    return { source: String(long['source'] ?? ''), target: String(long['target'] ?? '') };
  }
  const [source = '', target] = String(value).split(':');
  if (target === undefined) return { source: '', target: source };
  if (target === '') throw new Error(`${where}: cannot read the volume ${String(value)}`);
  return { source, target };
}

function service(name: string, raw: unknown): ComposeService {
  const where = `services.${name}`;
  const node = record(raw, where);
  const build = node['build'];
  const buildNode = typeof build === 'string' ? { context: build } : record(build, `${where}.build`);
  const healthcheck = node['healthcheck'] === undefined ? undefined : record(node['healthcheck'], `${where}.healthcheck`);
  const dependsOn = node['depends_on'];
  return {
    name,
    ...(typeof node['image'] === 'string' ? { image: node['image'] } : {}),
    ...(build === undefined
      ? {}
      : {
          build: {
            context: String(buildNode['context'] ?? '.'),
            dockerfile: String(buildNode['dockerfile'] ?? 'Dockerfile'),
            args: Object.fromEntries(environment(buildNode['args'], `${where}.build.args`)),
          },
        }),
    profiles: words(node['profiles'], `${where}.profiles`),
    environment: environment(node['environment'], `${where}.environment`),
    ...(healthcheck === undefined ? {} : { healthcheck: { test: words(healthcheck['test'], `${where}.healthcheck.test`), disable: healthcheck['disable'] === true } }),
    dependsOn: Array.isArray(dependsOn)
      ? new Map(dependsOn.map((dependency) => [String(dependency), 'service_started']))
      : new Map(Object.entries(record(dependsOn, `${where}.depends_on`)).map(([dependency, options]) => [dependency, String(record(options, `${where}.depends_on.${dependency}`)['condition'] ?? 'service_started')])),
    volumes: list(node['volumes'], `${where}.volumes`).map((item) => mount(item, `${where}.volumes`)),
    ports: list(node['ports'], `${where}.ports`).map((item) => port(item, `${where}.ports`)),
    secrets: list(node['secrets'], `${where}.secrets`).map((item) => {
      if (typeof item === 'string') return { source: item, target: `/run/secrets/${item}` };
      const long = record(item, `${where}.secrets`);
      const source = String(long['source']);
      const target = String(long['target'] ?? source);
      return { source, target: target.startsWith('/') ? target : `/run/secrets/${target}` };
    }),
    entrypoint: words(node['entrypoint'], `${where}.entrypoint`),
    command: words(node['command'], `${where}.command`),
  };
}

export function loadComposeFile(path = COMPOSE_FILE, env: Env = {}): ComposeFile {
  const document = record(interpolateDeep(parse(readFileSync(path, 'utf8')), env), 'docker-compose.yml');
  const secrets = record(document['secrets'], 'secrets');
  return {
    services: new Map(Object.entries(record(document['services'], 'services')).map(([name, raw]) => [name, service(name, raw)])),
    volumes: new Set(Object.keys(record(document['volumes'], 'volumes'))),
    secrets: new Map(
      Object.entries(secrets).map(([name, raw]) => {
        const node = record(raw, `secrets.${name}`);
        return [name, { ...(typeof node['file'] === 'string' ? { file: node['file'] } : {}), ...(typeof node['environment'] === 'string' ? { environment: node['environment'] } : {}) }];
      }),
    ),
  };
}
