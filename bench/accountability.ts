// Micro-benchmark of the accountability bookkeeping a response pays in the gateway's process, without the database:
// the releases of the disclosure summary (read off the result for a pass-through plan such as B's), the access-log entry (accessEntry), the provisions (provisionsOf), the bulk-record admission of a repeated page
// (BulkRecords.admit, as in the benchmark, where every request repeats one page), and the entry's canonical form
// and hash (entryCanonical, chainRows). On D's employer page (100 candidates, per-employer consent) and B's
// candidate page (50, legal basis), over the real supergraph's plans, shaped by shapeResponse with an in-memory
// consent loader. Prints µs per response, each step and in all (median of rounds).
// Usage: npx tsx bench/accountability.ts [rounds]
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { chainRows, entryCanonical, GENESIS_HASH } from '../audit/chain.ts';
import { BulkRecords } from '../audit/provision.ts';
import type { BoundCaller } from '../directives/caller.ts';
import type { ConsentRecord } from '../directives/decide.ts';
import { planOperation, type SelectionPlan } from '../directives/enforce/operation.ts';
import { shapeResponse } from '../directives/enforce/response.ts';
import { readPrivacyIndex } from '../directives/policy.ts';
import { GatewayContext, type PrivacyOutcome } from '../gateway/core/context.ts';
import { accessEntry, provisionsOf } from '../gateway/plugins/audit/index.ts';
import { allSubgraphs } from '../scripts/system.ts';
import { CANDIDATE_PAGE_QUERY, EMPLOYER_PAGE_QUERY } from './scenarios.ts';

const composed = composeServices(allSubgraphs().map((d) => ({ name: d.name, typeDefs: d.typeDefs, url: `http://localhost/${d.name}` })));
if (!composed.schema || !composed.supergraphSdl) throw new Error('composition failed');
const schema = composed.schema.toAPISchema().toGraphQLJSSchema();
const { index } = readPrivacyIndex(parse(composed.supergraphSdl));

const EMPLOYER = '00000000-0000-4000-8000-0000000000e1';
const LEAVES: Record<string, unknown> = {
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
  return new Map(
    ids.map((id, i) => [id, [{ purpose: 'EMPLOYER_DISCLOSURE', recipientId: EMPLOYER, state: 'GRANTED', expiresAt: null, eventId: 1_000 + i } as ConsentRecord]]),
  );
}

const STEPS = ['releases', 'accessEntry', 'provisionsOf', 'admit', 'canonical+hash'] as const;

async function measure(name: string, query: string, caller: BoundCaller, rows: number, rounds: number) {
  const plan = planOperation({ schema, index, document: parse(query), operationName: undefined, caller });
  const at = new Date();
  const options = { caller, variables: {}, now: at, mask: { pseudonymKey: new Uint8Array(32), now: at }, loadConsents: async (ids: readonly string[]) => consents(ids) };
  const context = new GatewayContext('00000000-0000-4000-8000-00000000a001', caller, false);
  const iterations = 300;
  const shapeAll = async () => {
    const outcomes: PrivacyOutcome[] = [];
    for (let i = 0; i < iterations; i++) {
      const shaped = await shapeResponse(plan, fill(plan.root, '', rows), options);
      outcomes.push({ operationName: null, operationType: 'query', denied: plan.deniedCoordinates, rejected: false, disclosure: shaped.disclosure, masked: shaped.masked });
    }
    return outcomes;
  };
  let outcomes = await shapeAll();
  const bulk = new BulkRecords();
  // The page was provided once already today: every timed admission is a repeat, as under the benchmark's load.
  bulk.committed(bulk.admit(provisionsOf(outcomes[0]!, context, at, index)));
  const timed: Record<(typeof STEPS)[number], number[]> = { releases: [], accessEntry: [], provisionsOf: [], admit: [], 'canonical+hash': [] };
  let head = { seq: 0, hash: GENESIS_HASH };
  let written = 0;
  for (let round = 0; round < rounds; round++) {
    // Shaped afresh (not timed): the summary's releases are read once per response, by the first who asks.
    outcomes = await shapeAll();
    let t = process.hrtime.bigint();
    for (const outcome of outcomes) void outcome.disclosure!.released.size;
    let next = process.hrtime.bigint();
    timed.releases.push(Number(next - t) / 1000 / iterations);
    t = next;
    const entries = outcomes.map((o) => accessEntry(o, context, { documentHash: 'h', at, index })!);
    next = process.hrtime.bigint();
    timed.accessEntry.push(Number(next - t) / 1000 / iterations);
    t = next;
    const provisions = outcomes.map((o) => provisionsOf(o, context, at, index));
    next = process.hrtime.bigint();
    timed.provisionsOf.push(Number(next - t) / 1000 / iterations);
    t = next;
    for (const p of provisions) written += bulk.admit(p).length;
    next = process.hrtime.bigint();
    timed.admit.push(Number(next - t) / 1000 / iterations);
    t = next;
    const chained = chainRows('00000000-0000-4000-8000-00000000c001', head, entries, entries.map(entryCanonical));
    head = { seq: chained.at(-1)!.seq, hash: chained.at(-1)!.hash };
    next = process.hrtime.bigint();
    timed['canonical+hash'].push(Number(next - t) / 1000 / iterations);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const total = timed.accessEntry.map((_, i) => STEPS.reduce((sum, step) => sum + timed[step][i]!, 0));
  const sample = outcomes[0]!;
  console.log(
    `${name.padEnd(24)} ${median(total).toFixed(1).padStart(6)} µs/response: ` +
      STEPS.map((step) => `${step} ${median(timed[step]).toFixed(1)}`).join(', ') +
      `  (subjects ${accessEntry(sample, context, { documentHash: 'h', at, index })!.subjects.length}, provisions ${provisionsOf(sample, context, at, index).length}, masked ${sample.masked.length}, first-time rows written while timed ${written})`,
  );
}

const rounds = Number(process.argv[2] ?? 15);
const employer: BoundCaller = { sub: 'bench', role: 'employer', org: EMPLOYER, purposes: ['EMPLOYER_DISCLOSURE'], purpose: 'EMPLOYER_DISCLOSURE', legalBasis: null };
const compliance: BoundCaller = { sub: 'bench', role: 'compliance', org: null, purposes: ['LEGAL_OBLIGATION'], purpose: 'LEGAL_OBLIGATION', legalBasis: 'bench' };
await measure('D employer page (100)', EMPLOYER_PAGE_QUERY, employer, 100, rounds);
await measure('B candidate page (50)', CANDIDATE_PAGE_QUERY, compliance, 50, rounds);
