import { type CollectionTag, isMap, isSeq, type ScalarTag } from 'yaml';

/** The short forms a template may use (`!Ref`, `!FindInMap`, ...), each read as its JSON form (`Ref`, `Fn::FindInMap`). */
const SHORT_FORMS = [
  'Ref',
  'Sub',
  'GetAtt',
  'FindInMap',
  'If',
  'Equals',
  'Join',
  'Select',
  'Split',
  'Not',
  'And',
  'Or',
];

/**
 * YAML tags for CloudFormation's short forms (`!Ref Stage`, `!FindInMap [a, b, c]`): each becomes its
 * JSON form, so a template parses with `yaml`'s `parse(text, { customTags: cloudFormationTags })`.
 */
export const cloudFormationTags: (ScalarTag | CollectionTag)[] = SHORT_FORMS.flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  // `!GetAtt Table.Arn` is the scalar shorthand of `[Table, Arn]`.
  const scalar = (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value });
  return [
    { tag: `!${name}`, resolve: scalar } satisfies ScalarTag,
    {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (seq) => ({ [key]: isSeq(seq) ? seq.toJSON() : [] }),
    } as CollectionTag,
    {
      tag: `!${name}`,
      collection: 'map',
      resolve: (map) => ({ [key]: isMap(map) ? map.toJSON() : {} }),
    } as CollectionTag,
  ];
});

/** What stays unresolved: a resource's `Ref` or `Fn::GetAtt`, as CloudFormation fills it at deploy time. */
export interface Deferred {
  Ref?: string;
  'Fn::GetAtt'?: string[];
}

interface Template {
  Parameters?: Record<string, { Default?: string }>;
  Mappings?: Record<string, Record<string, Record<string, string>>>;
  Conditions?: Record<string, unknown>;
}

/** Marks a key whose value is `!Ref AWS::NoValue`: CloudFormation leaves the key out. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Evaluates `value` as CloudFormation would for the given parameters: `Ref` to a parameter, `Fn::FindInMap`,
 * `Fn::If` over the template's conditions, `Fn::Equals`, `Fn::Sub` over parameters and pseudo parameters.
 * A resource's `Ref` or `Fn::GetAtt` stays as it is. Anything else throws, so a test never passes on a
 * value it did not understand.
 *
 * @example
 * resolveValue(template, { 'Fn::FindInMap': ['MailSettings', { Ref: 'Stage' }, 'Admins'] }, { Stage: 'prod' });
 * // 'oncall@example.com,lead@example.com'
 */
export function resolveValue(
  template: Template,
  value: unknown,
  parameters: Record<string, string>,
): unknown {
  const resolved = resolve(template, value, { 'AWS::StackName': 'example-stack', ...parameters });
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(template: Template, value: unknown, parameters: Record<string, string>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => resolve(template, item, parameters));
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    return intrinsic(template, first[0], first[1], parameters);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolve(template, item, parameters);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function intrinsic(
  template: Template,
  name: string,
  argument: unknown,
  parameters: Record<string, string>,
): unknown {
  const args = (): unknown[] => {
    const list = resolve(template, argument, parameters);
    if (!Array.isArray(list)) throw new Error(`\`${name}\` takes a list; got ${JSON.stringify(argument)}`);
    return list;
  };
  switch (name) {
    case 'Ref': {
      const ref = String(argument);
      if (ref === 'AWS::NoValue') return NO_VALUE;
      if (ref in parameters) return parameters[ref];
      const fallback = template.Parameters?.[ref]?.Default;
      return fallback ?? { Ref: ref };
    }
    case 'Fn::GetAtt':
      return { 'Fn::GetAtt': argument };
    case 'Fn::FindInMap': {
      const [map, top, second] = args().map(String);
      const found = template.Mappings?.[map ?? '']?.[top ?? '']?.[second ?? ''];
      if (found === undefined) throw new Error(`\`Fn::FindInMap\` finds nothing at ${map}.${top}.${second}`);
      return found;
    }
    case 'Fn::Equals': {
      const [left, right] = args();
      return left === right;
    }
    case 'Fn::If': {
      const [condition, then, otherwise] = Array.isArray(argument) ? argument : [];
      const test = template.Conditions?.[String(condition)];
      if (test === undefined) throw new Error(`\`Fn::If\` names an unknown condition: ${String(condition)}`);
      return resolve(template, resolve(template, test, parameters) === true ? then : otherwise, parameters);
    }
    case 'Fn::Sub':
      if (typeof argument !== 'string') throw new Error('`Fn::Sub` with a variable map is not resolved here');
      return argument.replace(/\$\{([^}]+)\}/g, (whole, ref: string) => parameters[ref] ?? whole);
    default:
      throw new Error(`\`${name}\` is not resolved here; got ${JSON.stringify(argument)}`);
  }
}
