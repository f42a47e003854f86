import { parseYamlSubset, type YamlNode, YamlSubsetError } from './yaml-subset.js';

/**
 * A function's environment that cannot be worked out from the file or the command line: the message
 * is one line, naming the file and line, and the exit code is 2.
 */
export class FunctionEnvError extends Error {
  override readonly name = 'FunctionEnvError' as const;
}

/** What a stage's variables are resolved with. */
export interface StageInput {
  /** The file's text and the name to cite it by (`serverless.yml`). */
  readonly text: string;
  readonly file: string;
  /** The stage (`--stage`), which is also `${opt:stage}` and `${sls:stage}`. */
  readonly stage: string;
  /** The shell's environment, which `${env:NAME}` reads, as the framework does at deploy time. */
  readonly shell: Readonly<Record<string, string | undefined>>;
}

// Sources that need AWS, other files or code: the framework asks them at deploy time; this reader cannot.
const NOT_READ: Readonly<Record<string, string>> = {
  ssm: 'a parameter in AWS Systems Manager',
  cf: 'a CloudFormation stack output',
  s3: 'an object in S3',
  aws: 'the AWS account',
  file: 'another file',
  param: 'a Serverless Dashboard parameter',
  sls: 'the framework',
  opt: 'a command-line option',
};

const MAX_DEPTH = 20;

/**
 * The environment a function of `stage` would have, from `provider.environment` of a serverless.yml,
 * with the variables the framework resolves at deploy time: `${self:PATH}`, `${sls:stage}`,
 * `${opt:stage}`, `${opt:region}`, `${env:NAME}`, each with `, fallback`s (a quoted text, a number,
 * `true`/`false` or another variable). `AWS_REGION` is `provider.region` (default us-east-1), as Lambda
 * sets it. Anything else (`${ssm:...}`, `${cf:...}`, `${file(...)}`...) is refused with a
 * {@link FunctionEnvError} that names the expression and its file:line.
 *
 * @example
 * stageEnvironment({ text: 'provider:\n  environment:\n    ADMINS: ${env:OPS, "ops@example.com"}\n', file: 'serverless.yml', stage: 'dev', shell: {} });
 * // { ADMINS: 'ops@example.com', AWS_REGION: 'us-east-1' }
 */
export function stageEnvironment(input: StageInput): Record<string, string> {
  const { file } = input;
  let root: YamlNode;
  try {
    root = parseYamlSubset(input.text);
  } catch (error) {
    if (error instanceof YamlSubsetError)
      throw new FunctionEnvError(`${file}:${error.line}: ${error.message}`);
    throw error;
  }
  const resolver = new StageResolver(root, input);
  const provider = child(root, 'provider');
  if (provider === undefined) throw new FunctionEnvError(`${file}: no \`provider\` section`);
  const envNode = child(provider, 'environment');
  const resolved = envNode === undefined ? {} : resolver.value(envNode, 'provider.environment', 0);
  if (resolved === null) return { AWS_REGION: region(resolver, provider) };
  if (typeof resolved !== 'object' || Array.isArray(resolved)) {
    throw new FunctionEnvError(
      `${file}:${envNode?.line}: \`provider.environment\` for stage ${JSON.stringify(input.stage)} is ${describe(resolved)}, not a map of variables`,
    );
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(resolved)) {
    // The framework leaves out a variable whose value is null.
    if (value === null) continue;
    if (typeof value === 'object') {
      throw new FunctionEnvError(
        `${file}:${envNode?.line}: \`provider.environment.${name}\` for stage ${JSON.stringify(input.stage)} is ${describe(value)}, not a text`,
      );
    }
    env[name] = String(value);
  }
  env.AWS_REGION ??= region(resolver, provider);
  return env;
}

function region(resolver: StageResolver, provider: YamlNode): string {
  const node = child(provider, 'region');
  const value = node === undefined ? null : resolver.value(node, 'provider.region', 0);
  return value === null ? 'us-east-1' : String(value);
}

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** What kind of value it is, not the value: one resolved from the shell may be a secret. */
function describe(value: Value): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty';
  return typeof value === 'object' ? 'a map' : typeof value === 'string' ? 'a text' : `a ${typeof value}`;
}

function child(node: YamlNode, key: string): YamlNode | undefined {
  return node.kind === 'map' ? node.entries.get(key) : undefined;
}

/** Resolves values of one file for one stage. */
class StageResolver {
  constructor(
    private readonly root: YamlNode,
    private readonly input: StageInput,
  ) {}

  /** The value of `node` at `path`, its variables resolved. */
  value(node: YamlNode, path: string, depth: number): Value {
    if (depth > MAX_DEPTH) throw this.refuse(node.line, `\`${path}\` refers to itself in a loop`);
    switch (node.kind) {
      case 'unsupported':
        throw this.refuse(node.line, `\`${path}\` uses ${node.what}, which this reader does not resolve`);
      case 'seq':
        return node.items.map((item, index) => this.value(item, `${path}.${index}`, depth));
      case 'map': {
        const out: Record<string, Value> = {};
        for (const [key, item] of node.entries) out[key] = this.value(item, `${path}.${key}`, depth);
        return out;
      }
      default:
        return node.value === null ? null : this.text(node.value, node.line, depth);
    }
  }

  /** A scalar with its `${...}` resolved: the variable's own value when it is the whole text. */
  private text(text: string, line: number, depth: number): Value {
    const spans = variableSpans(text, line, this.input.file);
    if (spans.length === 0) return text;
    const [first] = spans;
    if (spans.length === 1 && first !== undefined && first.start === 0 && first.end === text.length) {
      return this.variable(text.slice(2, -1), text, line, depth);
    }
    let out = '';
    let at = 0;
    for (const span of spans) {
      const expression = text.slice(span.start, span.end);
      const value = this.variable(expression.slice(2, -1), expression, line, depth);
      if (value === null || typeof value === 'object') {
        throw this.refuse(line, `\`${expression}\` is ${describe(value)}, which cannot be put inside a text`);
      }
      out += text.slice(at, span.start) + String(value);
      at = span.end;
    }
    return out + text.slice(at);
  }

  /** The value of the inside of one `${...}`: a source and its fallbacks, the first that is set. */
  private variable(inside: string, expression: string, line: number, depth: number): Value {
    const value = this.optionalVariable(inside, expression, line, depth);
    if (value === undefined) throw this.refuse(line, `\`${expression}\` has no value and no fallback`);
    return value;
  }

  /** As {@link variable}, undefined when neither the source nor a fallback has a value. */
  private optionalVariable(
    inside: string,
    expression: string,
    line: number,
    depth: number,
  ): Value | undefined {
    const [main, ...fallbacks] = splitTopLevel(inside);
    const value = this.source((main ?? '').trim(), expression, line, depth);
    if (value !== undefined && value !== null) return value;
    for (const fallback of fallbacks) {
      const found = this.literalOrSource(fallback.trim(), expression, line, depth);
      if (found !== undefined && found !== null) return found;
    }
    return undefined;
  }

  private literalOrSource(text: string, expression: string, line: number, depth: number): Value | undefined {
    const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(text);
    if (quoted) return quoted[1] ?? quoted[2] ?? '';
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (text === 'true' || text === 'false') return text === 'true';
    // A variable as a fallback without a value of its own passes on to the next fallback.
    const spans = text.startsWith('${') ? variableSpans(text, line, this.input.file) : [];
    if (spans.length === 1 && spans[0]?.end === text.length) {
      return this.optionalVariable(text.slice(2, -1), text, line, depth + 1);
    }
    if (text.includes('${')) return this.text(text, line, depth + 1);
    return this.source(text, expression, line, depth);
  }

  /** `self:PATH`, `sls:stage`, `opt:stage`, `opt:region`, `env:NAME`; undefined when not set. */
  private source(text: string, expression: string, line: number, depth: number): Value | undefined {
    // A nested variable in the address (`${self:custom.mail.${sls:stage}}`) is resolved first.
    const address = text.includes('${') ? this.text(text, line, depth + 1) : text;
    if (typeof address !== 'string') {
      throw this.refuse(line, `\`${expression}\` builds an address that is not a text`);
    }
    const match = /^([A-Za-z]+)(\(.*\))?:(.*)$/s.exec(address);
    if (match === null) throw this.refuse(line, `\`${expression}\` is not a variable this reader knows`);
    const [, source = '', args, rest = ''] = match;
    if (args !== undefined || NOT_READ[source] !== undefined) {
      const allowed =
        (source === 'sls' && rest === 'stage') ||
        (source === 'opt' && (rest === 'stage' || rest === 'region'));
      if (args !== undefined || !allowed) {
        const what = NOT_READ[source] ?? `the ${source}(...) source`;
        throw this.refuse(line, `\`${expression}\` reads ${what}, which this command cannot resolve`);
      }
    }
    switch (source) {
      case 'sls':
        return this.input.stage;
      case 'opt':
        // `--stage` is the only option given; `${opt:region}` is unset, so its fallback applies.
        return rest === 'stage' ? this.input.stage : undefined;
      case 'env':
        return this.input.shell[rest];
      case 'self':
        return this.self(rest, expression, line, depth);
      default:
        throw this.refuse(
          line,
          `\`${expression}\` reads the source \`${source}\`, which this command cannot resolve`,
        );
    }
  }

  private self(path: string, expression: string, line: number, depth: number): Value | undefined {
    let node: YamlNode | undefined = this.root;
    for (const key of path === '' ? [] : path.split('.')) {
      if (node === undefined) break;
      node = node.kind === 'seq' && /^\d+$/.test(key) ? node.items[Number(key)] : child(node, key);
    }
    if (node === undefined) {
      throw this.refuse(line, `\`${expression}\`: ${this.input.file} has no \`${path}\``);
    }
    return this.value(node, path, depth + 1) ?? undefined;
  }

  private refuse(line: number, message: string): FunctionEnvError {
    return new FunctionEnvError(`${this.input.file}:${line}: ${message}`);
  }
}

/** Where each outermost `${...}` of `text` starts and ends. */
function variableSpans(text: string, line: number, file: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$' || text[i + 1] !== '{') continue;
    let depth = 0;
    let j = i;
    for (; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) break;
    }
    if (j === text.length)
      throw new FunctionEnvError(`${file}:${line}: \`${text}\` has a \${ that is not closed`);
    spans.push({ start: i, end: j + 1 });
    i = j;
  }
  return spans;
}

/** `inside` split at its commas outside quotes and nested `${...}`. */
function splitTopLevel(inside: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inside.length; i++) {
    const c = inside[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(inside.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inside.slice(start));
  return parts;
}
