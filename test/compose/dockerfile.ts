import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * A Dockerfile read line by line, enough to check what it copies and runs: continuation lines
 * joined, comments dropped, build arguments substituted where Docker substitutes them.
 */
export interface Dockerfile {
  stages: Stage[];
}

export interface Stage {
  name: string | undefined;
  image: string;
  workdir: string;
  env: Map<string, string>;
  copies: Copy[];
  user: string | undefined;
  healthcheck: string[] | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  runs: string[];
}

export interface Copy {
  from: string | undefined;
  chmod: string | undefined;
  sources: string[];
  /** Absolute path in the image (a relative destination resolved against WORKDIR). */
  destination: string;
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const joined = (pending + line).trim();
    pending = '';
    if (joined !== '') lines.push(joined);
  }
  return lines;
}

function substitute(text: string, args: Map<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, bare: string | undefined) => args.get(braced ?? bare ?? '') ?? '');
}

function flags(words: string[]): { flags: Map<string, string>; rest: string[] } {
  const found = new Map<string, string>();
  let index = 0;
  for (; index < words.length && words[index]?.startsWith('--'); index += 1) {
    const [name = '', value = ''] = (words[index] ?? '').slice(2).split(/=(.*)/s);
    found.set(name, value);
  }
  return { flags: found, rest: words.slice(index) };
}

/** CMD, ENTRYPOINT and HEALTHCHECK CMD: the JSON (exec) form, or the shell form run by /bin/sh -c. */
function command(text: string): string[] {
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`not a JSON list of strings: ${text}`);
    return parsed;
  }
  return ['/bin/sh', '-c', text];
}

/** ENV KEY=value KEY2="value 2" (or the legacy ENV KEY value). */
function envPairs(text: string): [string, string][] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) {
    const [key = '', ...value] = text.split(/\s+/);
    return [[key, value.join(' ')]];
  }
  const pairs: [string, string][] = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const match of text.matchAll(pattern)) {
    const raw = match[2] ?? '';
    pairs.push([match[1] ?? '', /^["']/.test(raw) ? raw.slice(1, -1) : raw]);
  }
  return pairs;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  let stageArgs = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = keyword.toUpperCase();
    const argument = line.slice(keyword.length).trim();
    const stage = stages.at(-1);
    if (instruction === 'ARG') {
      const [name = '', value] = argument.split(/=(.*)/s);
      const unquoted = value?.replace(/^"(.*)"$/s, '$1');
      const target = stage === undefined ? globalArgs : stageArgs;
      target.set(name, unquoted ?? globalArgs.get(name) ?? '');
      continue;
    }
    if (instruction === 'FROM') {
      const { rest: words } = flags(rest);
      stageArgs = new Map();
      stages.push({
        name: words[1]?.toUpperCase() === 'AS' ? words[2] : undefined,
        image: substitute(words[0] ?? '', globalArgs),
        workdir: '/',
        env: new Map(),
        copies: [],
        user: undefined,
        healthcheck: undefined,
        entrypoint: undefined,
        cmd: undefined,
        runs: [],
      });
      continue;
    }
    if (stage === undefined) throw new Error(`${instruction} before the first FROM`);
    const known = new Map([...stageArgs, ...stage.env]);
    switch (instruction) {
      case 'WORKDIR':
        stage.workdir = posix.resolve(stage.workdir, substitute(argument, known));
        break;
      case 'ENV':
        for (const [key, value] of envPairs(argument)) stage.env.set(key, substitute(value, known));
        break;
      case 'USER':
        stage.user = substitute(argument, known);
        break;
      case 'RUN':
        stage.runs.push(argument);
        break;
      case 'CMD':
        stage.cmd = command(argument);
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = command(argument);
        break;
      case 'HEALTHCHECK': {
        const probe = /^(?:--\S+\s+)*(?:(NONE)|CMD\s+(.*))$/is.exec(argument);
        if (probe === null) throw new Error(`HEALTHCHECK needs CMD or NONE: ${line}`);
        stage.healthcheck = probe[1] === undefined ? command(probe[2] ?? '') : undefined;
        break;
      }
      case 'COPY':
      case 'ADD': {
        const { flags: options, rest: words } = flags(rest.map((word) => substitute(word, known)));
        if (words.length < 2) throw new Error(`${instruction} needs a source and a destination: ${line}`);
        const destination = words.at(-1) ?? '';
        stage.copies.push({
          from: options.get('from'),
          chmod: options.get('chmod'),
          sources: words.slice(0, -1),
          destination: posix.resolve(stage.workdir, destination) + (destination.endsWith('/') ? '/' : ''),
        });
        break;
      }
      default:
        break;
    }
  }
  return { stages };
}

export function readDockerfile(path: string): Dockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** The stage an image ends with: what `docker build` produces without --target. */
export function finalStage(dockerfile: Dockerfile): Stage {
  const stage = dockerfile.stages.at(-1);
  if (stage === undefined) throw new Error('a Dockerfile without FROM');
  return stage;
}

/** .dockerignore semantics: later patterns win, `!` re-includes, a match on a directory covers what is inside. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, ''));
      const source = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?';
          if (part === '**') return '.*';
          if (part === '*') return '[^/]*';
          if (part === '?') return '[^/]';
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { negated, regex: new RegExp(`^${source}$`) };
    });
  return (path) => {
    const parts = posix.normalize(path).replace(/^\.?\/+/, '').split('/');
    const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negated;
    }
    return excluded;
  };
}
