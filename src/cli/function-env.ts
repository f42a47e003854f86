import { parseEnvFile } from './env-file.js';
import type { CliIo } from './io.js';
import { UsageError } from './io.js';
import { FunctionEnvError, stageEnvironment } from './serverless-stage.js';

/** The options `preview` and `check-config` take to read a function's environment instead of the shell's. */
export const FUNCTION_ENV_OPTIONS = {
  stage: { type: 'string' },
  'env-file': { type: 'string' },
} as const;

/** The lines of `--help` for the two options. */
export const FUNCTION_ENV_HELP = `  --stage NAME                   read the variables the function has on that stage instead of
                                 the shell's: provider.environment of serverless.yml in the
                                 working directory, with \${self:...}, \${sls:stage},
                                 \${opt:stage}, \${opt:region} and \${env:NAME} resolved as the
                                 framework resolves them (fallbacks too); AWS_REGION is
                                 provider.region. Other sources (\${ssm:...}, \${cf:...},
                                 \${file(...)}...) are refused with their file:line
  --env-file FILE                read the variables of FILE instead of the shell's: NAME=VALUE
                                 lines, \`export \` allowed, # comments, 'literal' or
                                 "escaped (\\n \\t \\" \\\\)" values on one line; $NAME is not
                                 expanded`;

/** The variables a command reads, and where they came from, in words. */
export interface FunctionEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `the environment`, `serverless.yml, stage local` or `.env`. */
  readonly from: string;
  /** Whether `env` is the shell's own, PATH, HOME and all. */
  readonly shell: boolean;
}

const SERVERLESS_FILES = ['serverless.yml', 'serverless.yaml'];

/**
 * The environment for `--stage NAME` (that stage's `provider.environment` in the working directory's
 * serverless.yml) or `--env-file FILE` (that file's variables); the shell's without either.
 *
 * @example
 * await functionEnv({ stage: 'local' }, io); // { env: { ADMINS: 'ops@example.com', ... }, from: 'serverless.yml, stage local', shell: false }
 */
export async function functionEnv(
  values: { readonly stage?: string | undefined; readonly 'env-file'?: string | undefined },
  io: CliIo,
): Promise<FunctionEnv> {
  const stage = values.stage;
  const envFile = values['env-file'];
  if (stage !== undefined && envFile !== undefined) {
    throw new UsageError('`--stage` and `--env-file` each give the whole environment; give one');
  }
  if (envFile !== undefined) {
    return { env: parseEnvFile(await readOrRefuse(envFile, io), envFile), from: envFile, shell: false };
  }
  if (stage === undefined) return { env: io.env, from: 'the environment', shell: true };
  if (!/^[A-Za-z0-9-]+$/.test(stage)) {
    throw new UsageError(
      `\`--stage\` must be letters, digits and hyphens, as the framework allows; got ${JSON.stringify(stage)}`,
    );
  }
  for (const file of SERVERLESS_FILES) {
    let text: string;
    try {
      text = await io.readText(file);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') continue;
      throw new FunctionEnvError(`cannot read ${file}: ${(error as Error).message}`);
    }
    return {
      env: stageEnvironment({ text, file, stage, shell: io.env }),
      from: `${file}, stage ${stage}`,
      shell: false,
    };
  }
  throw new FunctionEnvError(
    '`--stage` reads serverless.yml in the working directory, and there is none (serverless.yaml neither; a .ts, .js or .json one is not read)',
  );
}

async function readOrRefuse(file: string, io: CliIo): Promise<string> {
  try {
    return await io.readText(file);
  } catch (error) {
    throw new FunctionEnvError(`cannot read ${file}: ${(error as Error).message}`);
  }
}
