import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../helpers/fast-check.js';
import { parseEnvFile } from '../../../src/cli/env-file.js';
import { FunctionEnvError } from '../../../src/cli/serverless-stage.js';
import { plantedSecret } from '../../helpers/arbitraries.js';

const name = () => fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/);
// One line of any text but a line break.
const oneLine = () => fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));

describe('parseEnvFile', () => {
  it('reads plain, quoted and exported values, skipping comments and blank lines', () => {
    const env = parseEnvFile(
      [
        '# the local stage',
        '',
        'ADMINS=ops@example.com,"Mary Ng" <mary@example.com>',
        'export SERVER_EMAIL = errors@example.com  # who sends',
        "EMAIL_SUBJECT_PREFIX='[demo] # kept'",
        'MULTI="line one\\nline two \\"quoted\\""',
        'EMPTY=',
      ].join('\n'),
      '.env',
    );

    expect(env).toEqual({
      ADMINS: 'ops@example.com,"Mary Ng" <mary@example.com>',
      SERVER_EMAIL: 'errors@example.com',
      EMAIL_SUBJECT_PREFIX: '[demo] # kept',
      MULTI: 'line one\nline two "quoted"',
      EMPTY: '',
    });
  });

  it.each([
    ['ADMINS', 'expected NAME=VALUE (the line is not shown: it may hold a secret)'],
    ['1ADMINS=x', '"1ADMINS" is not a variable name (letters, digits and _, not starting with a digit)'],
    [
      'ADMINS="ops@example.com',
      'the quote does not close on its line (values over several lines are not read)',
    ],
    ["ADMINS='a' b", 'text after the closing quote'],
    ['ADMINS=`cmd`', 'backquoted values are not read; use single or double quotes'],
    ['A=1\nA=2', 'A is set again (first on line 1)'],
  ])('refuses %j with its file:line', (text, message) => {
    const line = text.split('\n').length;

    expect(() => parseEnvFile(text, '.env')).toThrow(new FunctionEnvError(`.env:${line}: ${message}`));
  });

  it('reads back any one-line value written in single quotes, or in double quotes with escapes', () => {
    fc.assert(
      fc.property(fc.dictionary(name(), oneLine(), { maxKeys: 8 }), fc.boolean(), (record, double) => {
        const text = Object.entries(record)
          .map(([key, value]) =>
            double || value.includes("'")
              ? `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
              : `export ${key}='${value}'`,
          )
          .join('\n');

        expect(parseEnvFile(text, '.env')).toEqual(record);
      }),
    );
  });

  it('either reads any text or refuses it with its file:line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseEnvFile(text, '.env');
        } catch (error) {
          expect(error).toBeInstanceOf(FunctionEnvError);
          expect((error as Error).message).toMatch(/^\.env:\d+: /);
        }
      }),
    );
  });

  it('never quotes a value of a line it refuses, which may be a secret', () => {
    fc.assert(
      fc.property(
        plantedSecret(),
        fc.constantFrom('{}', '1BAD={}', "PASSWORD='x' {}", 'PASSWORD="{}', 'A={}\nA=2', 'A=`{}`'),
        (secret, shape) => {
          let message = '';
          try {
            parseEnvFile(shape.replace('{}', secret), '.env');
          } catch (error) {
            message = (error as Error).message;
          }

          expect(message).toMatch(/^\.env:\d+: /);
          expect(message).not.toContain(secret);
        },
      ),
    );
  });
});
