// Which one-to-one parts of a candidate an entity fetch selects: read from the operation, never guessed.
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildPrivacySubgraphSchema } from '../common/server.ts';
import { selectedCandidate, type CandidateSelection } from './entity-parts.ts';
import { usersSubgraph } from './index.ts';

const schema = buildPrivacySubgraphSchema(usersSubgraph());

const selectedCandidateParts = (info: ReturnType<typeof infoOf>) => selectedCandidate(info).parts;

function infoOf(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const field = operation.selectionSet.selections[0] as FieldNode;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return { fieldNodes: [field], fragments, schema };
}

describe('selectedCandidate: parts', () => {
  it('lists the parts selected on Candidate, in a fixed order', () => {
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { resume { summary } id address { city } } } }'))).toEqual(['address', 'resume']);
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { residenceCard { number } } } }'))).toEqual(['residenceCard']);
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { id fullName } } }'))).toEqual([]);
  });

  it('follows untyped and Candidate fragments, named ones once even when they repeat', () => {
    const info = infoOf('{ _entities { ...A ...A } } fragment A on Candidate { ... { ...B } } fragment B on Candidate { address { city } }');
    expect(selectedCandidateParts(info)).toEqual(['address']);
  });

  it('follows fragments on an abstract type a Candidate may match', () => {
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Node { ... on Candidate { resume { summary } } } } }'))).toEqual(['resume']);
    expect(selectedCandidate(infoOf('{ _entities { ...N } } fragment N on Node { ... on Candidate { desiredIndustries } }')).light).toBe(false);
    // Without a schema to tell object types from abstract ones, every fragment is followed.
    const { fieldNodes, fragments } = infoOf('{ _entities { ... on Employer { address { city } } } }');
    expect(selectedCandidate({ fieldNodes, fragments }).parts).toEqual(['address']);
  });

  it('ignores fields of other object types and fields below a part', () => {
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Consent { address } ...E } } fragment E on Resume { resume }'))).toEqual([]);
    expect(selectedCandidateParts(infoOf('{ _entities { ... on Candidate { applications { job { address } } } } }'))).toEqual([]);
    expect(selectedCandidateParts(infoOf('{ _entities { ...Missing } }'))).toEqual([]);
  });

  it('reads each parsed operation once', () => {
    const info = infoOf('{ _entities { ... on Candidate { address { city } } } }');
    const first = selectedCandidate(info);
    expect(selectedCandidate(info)).toBe(first);
  });
});

describe('selectedCandidate: light columns', () => {
  const light = (source: string): CandidateSelection['light'] => selectedCandidate(infoOf(source)).light;

  it('suffice for names, contact, birth date, parts and consents', () => {
    expect(light('{ _entities { ... on Candidate { __typename id fullName fullNameKana email phone birthDate } } }')).toBe(true);
    expect(light('{ _entities { ... on Candidate { id address { city street } resume { skills updatedAt } consents { purpose } consentHistory { action } } } }')).toBe(true);
    // Fields below a part are the part's own, not the candidate's.
    expect(light('{ _entities { ... on Candidate { resume { workHistory { company } } } } }')).toBe(true);
  });

  it('do not suffice for any other field, known or not, wherever it is selected', () => {
    expect(light('{ _entities { ... on Candidate { id desiredIndustries } } }')).toBe(false);
    expect(light('{ _entities { ... on Candidate { id desiredPrefectures } } }')).toBe(false);
    expect(light('{ _entities { ...F } } fragment F on Candidate { ... { status } }')).toBe(false);
    expect(light('{ _entities { ... on Candidate { id somethingNew } } }')).toBe(false);
  });
});
