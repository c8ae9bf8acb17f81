// Micro-benchmark of the enforcement pass alone: shapeResponse over D's employer page (100 candidates) and B's
// candidate page (50), as the candidate search and as a job's applicants (the bench's default plan), on the real
// supergraph's plans, in one process, with an in-memory consent loader.
// Prints µs per shaped response (median of rounds), in place (or passed through, where the plan changes nothing)
// and copying (the full pass). Usage: npx tsx bench/shape.ts [rounds]
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import type { BoundCaller } from '../directives/caller.ts';
import type { ConsentRecord } from '../directives/decide.ts';
import { planOperation, type SelectionPlan } from '../directives/enforce/operation.ts';
import { shapeResponse } from '../directives/enforce/response.ts';
import { readPrivacyIndex } from '../directives/policy.ts';
import { allSubgraphs } from '../scripts/system.ts';
import { CANDIDATE_PAGE_QUERY, EMPLOYER_PAGE_QUERY, PAGE_QUERIES } from './scenarios.ts';

const composed = composeServices(allSubgraphs().map((d) => ({ name: d.name, typeDefs: d.typeDefs, url: `http://localhost/${d.name}` })));
if (!composed.schema || !composed.supergraphSdl) throw new Error('composition failed');
const schema = composed.schema.toAPISchema().toGraphQLJSSchema();
const { index } = readPrivacyIndex(parse(composed.supergraphSdl));

const EMPLOYER = '00000000-0000-4000-8000-0000000000e1';
const LEAVES: Record<string, unknown> = {
  id: '',
  fullName: '山田 太郎',
  email: 'taro.yamada@example.jp',
  phone: '090-1234-5678',
  birthDate: '1991-04-12',
  prefecture: '東京都',
  city: '千代田区',
  summary: '営業職として十年の経験があり、法人向けの提案営業を担当してきました。',
  skills: ['Excel', '法人営業', '英語'],
};

/** A result shaped like the gateway's assembled data for `plan`: `count` rows under `nodes`, hidden keys filled. */
function fill(plan: SelectionPlan, subjectId: string, count: number): Record<string, unknown> {
  const type = plan.staticType!;
  const out: Record<string, unknown> = {};
  for (const entry of plan.byType.get(type) ?? []) {
    const field = entry.coordinate.slice(entry.coordinate.indexOf('.') + 1);
    if (entry.child) {
      out[entry.key] =
        field === 'nodes'
          ? Array.from({ length: count }, (_, i) => fill(entry.child!, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, count))
          : fill(entry.child, subjectId, count);
    } else out[entry.key] = field === 'id' ? subjectId : field === '__typename' ? type : (LEAVES[field] ?? subjectId);
  }
  if (plan.typenameKey) out[plan.typenameKey] = type;
  const subjectKey = plan.subjectKeys.get(type);
  if (subjectKey) out[subjectKey] = subjectId;
  return out;
}

function consents(ids: readonly string[]): Map<string, ConsentRecord[]> {
  return new Map(ids.map((id) => [id, [{ purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER, state: 'GRANTED', expiresAt: null }]]));
}

async function measure(name: string, query: string, caller: BoundCaller, rows: number, rounds: number) {
  const plan = planOperation({ schema, index, document: parse(query), operationName: undefined, caller });
  const options = { caller, variables: {}, now: new Date(), mask: { pseudonymKey: new Uint8Array(32), now: new Date() }, loadConsents: async (ids: readonly string[]) => consents(ids) };
  const check = await shapeResponse(plan, fill(plan.root, '', rows), options);
  // Rounds alternate between shaping in place (where the plan allows) and copying, so both see the same machine.
  const copying = { ...plan, inPlace: false, passThrough: false };
  const timed: Record<'inPlace' | 'copy', number[]> = { inPlace: [], copy: [] };
  const iterations = 400;
  for (let round = 0; round < rounds * 2; round++) {
    const mode = round % 2 === 0 ? 'inPlace' : 'copy';
    // Shaping may rewrite the executor's result in place, so every call gets its own result (built, not timed).
    const results = Array.from({ length: iterations }, () => fill(plan.root, '', rows));
    const start = process.hrtime.bigint();
    for (const result of results) await shapeResponse(mode === 'inPlace' ? plan : copying, result, options);
    timed[mode].push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = timed.copy.map((c, i) => c / timed.inPlace[i]!);
  console.log(
    `${name.padEnd(24)} ${median(timed.inPlace).toFixed(1).padStart(7)} µs/response (copying: ${median(timed.copy).toFixed(1)}, copy/in-place per round median ${median(ratio).toFixed(2)}, plan in place: ${plan.inPlace}, pass-through: ${plan.passThrough})  ` +
      `errors ${check.errors.length}, masked ${check.masked.length}, released coordinates ${check.disclosure.released.size}`,
  );
}

const rounds = Number(process.argv[2] ?? 15);
const employer: BoundCaller = { sub: 'bench', role: 'employer', org: EMPLOYER, purposes: ['EMPLOYER_DISCLOSURE'], purpose: 'EMPLOYER_DISCLOSURE', legalBasis: null };
const compliance: BoundCaller = { sub: 'bench', role: 'compliance', org: null, purposes: ['LEGAL_OBLIGATION'], purpose: 'LEGAL_OBLIGATION', legalBasis: 'bench' };
const support: BoundCaller = { sub: 'bench', role: 'support', org: null, purposes: ['FRAUD_PREVENTION'], purpose: 'FRAUD_PREVENTION', legalBasis: null };
await measure('D employer page (100)', EMPLOYER_PAGE_QUERY, employer, 100, rounds);
await measure('B candidate page (50)', CANDIDATE_PAGE_QUERY, compliance, 50, rounds);
await measure('C candidate page (50)', CANDIDATE_PAGE_QUERY, support, 50, rounds);
// The pages `npm run bench` sends by default (a job's applicants): an Application names its candidate as its data
// subject, and the client does not select candidateId, so the rewrite adds a hidden selection and no plan passes through.
await measure('D applicants (100)', PAGE_QUERIES.entity.employer, employer, 100, rounds);
await measure('B applicants (50)', PAGE_QUERIES.entity.candidates, compliance, 50, rounds);
