// Which one-to-one parts of a candidate an entity fetch selects: read from the operation, never guessed.
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedCandidateParts } from './entity-parts.ts';

function infoOf(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const field = operation.selectionSet.selections[0] as FieldNode;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return { fieldNodes: [field], fragments };
}

describe('selectedCandidateParts', () => {
  it('lists the parts selected on Candidate, in a fixed order', () => {
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { resume { summary } id address { city } } } }'))).toEqual(['address', 'resume']);
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { residenceCard { number } } } }'))).toEqual(['residenceCard']);
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { id fullName } } }'))).toEqual([]);
  });

  it('follows untyped and Candidate fragments, named ones once even when they repeat', () => {
    const info = infoOf('{ _entities { ...A ...A } } fragment A on Candidate { ... { ...B } } fragment B on Candidate { address { city } }');
    expect(selectedCandidateParts(info)).toEqual(['address']);
  });

  it('ignores fields of other types and fields below a part', () => {
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Employer { address } ...E } } fragment E on Job { resume }'))).toEqual([]);
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { applications { job { address } } } } }'))).toEqual([]);
    expect(selectedCandidateParts(infoOf('{ _entities { ...Missing } }'))).toEqual([]);
  });

  it('reads each parsed operation once', () => {
    const info = infoOf('{ _entities { ... on Candidate { address { city } } } }');
    const first = selectedCandidateParts(info);
    expect(selectedCandidateParts(info)).toBe(first);
  });
});
