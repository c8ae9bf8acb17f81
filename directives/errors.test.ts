import { buildSchema, getVariableValues, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withoutSubmittedValues } from './errors.ts';

// graphql-js's own messages, produced live (so a change of wording in an upgrade shows here).
const schema = buildSchema(`
  enum Purpose { MARKETING SURVEY }
  input Change { email: String! phone: Int }
  type Query { f(id: ID, n: Int, s: String, p: Purpose, c: Change, b: Boolean, x: Float): String }
`);
const SECRET = 'lan.nguyen@example.jp';
const SECRET_NUMBER = '9012345678';

function validationMessages(source: string): string[] {
  return validate(schema, parse(source)).map((e) => e.message);
}

function variableMessages(variables: Record<string, unknown>): string[] {
  const operation = parse('query($id: ID, $n: Int, $p: Purpose, $c: Change, $s: String) { f(id: $id, n: $n, p: $p, c: $c, s: $s) }')
    .definitions[0] as OperationDefinitionNode;
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  return 'errors' in result ? (result.errors ?? []).map((e) => e.message) : [];
}

function syntaxMessage(source: string): string {
  try {
    parse(source);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('withoutSubmittedValues', () => {
  it.each([
    ['an Int literal', () => validationMessages(`{ f(n: "${SECRET}") }`), 'Int cannot represent the value given.'],
    ['an ID literal', () => validationMessages(`{ f(id: ${SECRET_NUMBER}.5) }`), 'ID cannot represent the value given.'],
    ['an enum literal', () => validationMessages(`{ f(p: lan_nguyen_example_jp) }`), 'The value given does not exist in enum "Purpose".'],
    ['a string where an enum goes', () => validationMessages(`{ f(p: "${SECRET}") }`), 'Enum "Purpose" cannot represent the value given.'],
    ['a nested input literal', () => validationMessages(`{ f(c: { email: "a", phone: "${SECRET}" }) }`), 'Int cannot represent the value given.'],
    ['an ID variable', () => variableMessages({ id: { email: SECRET } }), 'Variable "$id" got an invalid value: expected a value of type ID.'],
    ['an Int variable', () => variableMessages({ n: SECRET }), 'Variable "$n" got an invalid value: expected a value of type Int.'],
    ['an enum variable', () => variableMessages({ p: SECRET }), 'Variable "$p" got an invalid value: not a value of enum "Purpose".'],
    ['a field of an input variable', () => variableMessages({ c: { email: 'a', phone: SECRET } }), 'Variable "$c" got an invalid value at "c.phone": expected a value of type Int.'],
    ['an unknown field of an input variable', () => variableMessages({ c: { email: SECRET, extra: SECRET } }), 'Variable "$c" got an invalid value: field "extra" is not defined by input type "Change".'],
    ['a string where an input object goes', () => variableMessages({ c: SECRET }), 'Variable "$c" got an invalid value: expected an input object of type "Change".'],
    ['a null for a required input field', () => variableMessages({ c: { email: null, phone: SECRET_NUMBER } }), 'Variable "$c" got an invalid value at "c.email": type "String!" must not be null.'],
    ['a value built to look like a reason', () => variableMessages({ n: `${SECRET}" at "x"; Expected type "Int` }), 'Variable "$n" got an invalid value: expected a value of type Int.'],
    ['a string token in a syntax error', () => [syntaxMessage(`{ f(s: "a" "${SECRET}") }`)], 'Syntax Error: Expected Name, found a string.'],
    ['a number token in a syntax error', () => [syntaxMessage(`{ ${SECRET_NUMBER} }`)], 'Syntax Error: Expected Name, found a number.'],
  ])('rewrites %s without the value', (_kind, produce, expected) => {
    const messages = produce();
    expect(messages.length).toBeGreaterThan(0);
    const original = messages[0]!;
    const sent = [SECRET, SECRET_NUMBER, 'lan_nguyen', 'invalid value null'].filter((value) => original.includes(value));
    expect(sent.length, original).toBeGreaterThan(0);
    const scrubbed = withoutSubmittedValues(original);
    expect(scrubbed).toBe(expected);
    for (const value of sent) expect(scrubbed).not.toContain(value);
  });

  it('leaves messages without values as they are', () => {
    for (const message of [
      'Cannot query field "emial" on type "Candidate". Did you mean "email"?',
      'Variable "$s" of required type "String!" was not provided.',
      'Syntax Error: Expected Name, found <EOF>.',
      'Authentication failed.',
    ]) {
      expect(withoutSubmittedValues(message)).toBe(message);
    }
  });
});
