/**
 * One invalid setting: which variable, what it held, what was expected.
 * @example
 * // { variable: 'ADMINS', value: '"ops@"', expected: 'an e-mail address such as ...' }
 */
export interface ConfigProblem {
  readonly variable: string;
  readonly value: string;
  readonly expected: string;
}

/**
 * Thrown by {@link loadConfig} (and so when a handler is wrapped) when one or
 * more settings are invalid. The message lists every problem, one per line.
 *
 * @example
 * try { loadConfig({ ADMINS: 'ops@' }) } catch (e) { if (e instanceof ConfigError) console.log(e.problems) }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError' as const;
  /** Every invalid setting found: the values that could not be read first, then those that failed a check. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `- \`${p.variable}\`: ${p.expected}; got ${p.value}`);
    super(
      `lambda-error-mail: ${problems.length} invalid setting${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
    );
    this.problems = Object.freeze([...problems]);
  }
}
