// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless.yml variables are written as ${...} text
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../helpers/fast-check.js';
import { parseYamlSubset, type YamlNode, YamlSubsetError } from '../../../src/cli/yaml-subset.js';
import { plantedSecret } from '../../helpers/arbitraries.js';

const SERVERLESS_YML = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

/** The node at a dotted path, or undefined. */
function at(node: YamlNode, path: string): YamlNode | undefined {
  let found: YamlNode | undefined = node;
  for (const key of path.split('.')) {
    if (found?.kind === 'map') found = found.entries.get(key);
    else if (found?.kind === 'seq') found = found.items[Number(key)];
    else return undefined;
  }
  return found;
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

describe('parseYamlSubset', () => {
  it("reads this repository's serverless.yml, each value with its line", () => {
    const root = parseYamlSubset(SERVERLESS_YML);

    expect(at(root, 'provider.environment')).toEqual({
      kind: 'scalar',
      line: lineOf(SERVERLESS_YML, 'environment: ${self:custom.mail'),
      value: '${self:custom.mail.${sls:stage}}',
    });
    expect(at(root, 'custom.mail.local.ADMINS')).toMatchObject({
      value: 'ops@example.com,"Mary Ng" <mary@example.com>',
    });
    expect(at(root, 'custom.mail.local.SEND_BROKEN_LINK_EMAILS')).toMatchObject({ value: 'true' });
    expect(at(root, 'custom.mail.local.EMAIL_SUBJECT_PREFIX')).toMatchObject({
      value: "${env:EMAIL_SUBJECT_PREFIX, '[demo local] '}",
    });
    expect(at(root, 'custom.esbuild.exclude')).toMatchObject({
      kind: 'seq',
      items: [{ kind: 'scalar', value: '@aws-sdk/*' }],
    });
    expect(at(root, 'functions.plain.events.1.httpApi')).toMatchObject({ value: 'GET /boom' });
    expect(at(root, 'provider.iam.role.statements.1.Resource')).toEqual({
      kind: 'unsupported',
      line: lineOf(SERVERLESS_YML, 'Resource: !GetAtt'),
      what: 'the tag !GetAtt',
    });
  });

  it('reads quoted keys and values, flow collections, null and a plain value over two lines', () => {
    const root = parseYamlSubset(
      [
        '\'quoted key\': "tab\\there \\u00e9"',
        "single: 'it''s # not a comment' # a comment",
        'empty:',
        'tilde: ~',
        'list: [a, "b, c", ${env:X, \'d\'}]',
        'map: { k: v, n: 1 }',
        'long: first',
        '  second',
      ].join('\n'),
    );

    expect(at(root, 'quoted key')).toMatchObject({ value: 'tab\there é' });
    expect(at(root, 'single')).toMatchObject({ value: "it's # not a comment" });
    expect(at(root, 'empty')).toMatchObject({ value: null });
    expect(at(root, 'tilde')).toMatchObject({ value: null });
    expect(at(root, 'list')).toMatchObject({
      items: [{ value: 'a' }, { value: 'b, c' }, { value: "${env:X, 'd'}" }],
    });
    expect(at(root, 'map.k')).toMatchObject({ value: 'v' });
    expect(at(root, 'long')).toMatchObject({ value: 'first second' });
  });

  it("reads a sequence of mappings, their keys plain or quoted, and a sequence at its key's indentation", () => {
    const root = parseYamlSubset(
      ['events:', '- "GET /a": one', '  method: get', '- path: /b', 'after: yes'].join('\n'),
    );

    expect(at(root, 'events.0.GET /a')).toMatchObject({ value: 'one' });
    expect(at(root, 'events.0.method')).toMatchObject({ value: 'get', line: 3 });
    expect(at(root, 'events.1.path')).toMatchObject({ value: '/b', line: 4 });
    expect(at(root, 'after')).toMatchObject({ value: 'yes' });
  });

  it.each([
    ['a: 1\na: 2', 2, 'repeats the key "a"'],
    ['a: "open', 1, 'does not end on its line'],
    ['a:\n\tb: 1', 2, 'tab'],
    ['a: 1\n---\nb: 2', 2, 'more than one YAML document'],
    ['just text', 1, 'is not a "key: value" line nor a "- item"'],
    ['a: "x" secret', 1, 'has text after a quoted value'],
  ])('refuses %j at its line', (text, line, message) => {
    const error = (() => {
      try {
        parseYamlSubset(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(YamlSubsetError);
    expect((error as YamlSubsetError).line).toBe(line);
    expect((error as YamlSubsetError).message).toContain(message);
  });

  it('reads back any text written as a double-quoted value, under any key', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/), fc.string({ maxLength: 40 }), {
          maxKeys: 8,
        }),
        (record) => {
          const text = Object.entries(record)
            .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
            .join('\n');

          const root = parseYamlSubset(text);

          const read =
            root.kind === 'map'
              ? [...root.entries].map(([k, v]) => [k, v.kind === 'scalar' ? v.value : v])
              : [];
          expect(Object.fromEntries(read)).toEqual(record);
        },
      ),
    );
  });

  it('either reads any text or refuses it with its line, and never fails otherwise', () => {
    const piece = fc.constantFrom(
      'a:',
      ' b: 1',
      '- x',
      '  - y: z',
      '"q',
      "'",
      '[',
      '{',
      '}',
      '#',
      ': ',
      '\t',
      '!T',
      '&a',
      '|',
      '${',
      '\n',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        ),
        (text) => {
          try {
            parseYamlSubset(text);
          } catch (error) {
            expect(error).toBeInstanceOf(YamlSubsetError);
            expect((error as YamlSubsetError).line).toBeGreaterThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('never quotes a value of a line it refuses, which may be a secret', () => {
    fc.assert(
      fc.property(
        plantedSecret(),
        fc.constantFrom('{}', 'a: "{}" x', "a: '{}", 'a: "\\q{}"', 'a: [{}, "x" y]', 'a:\n  b: 1\n c: {}'),
        (secret, shape) => {
          let message = '';
          try {
            parseYamlSubset(shape.replace('{}', secret));
          } catch (error) {
            message = (error as Error).message;
          }

          expect(message).not.toBe('');
          expect(message).not.toContain(secret);
        },
      ),
    );
  });
});
