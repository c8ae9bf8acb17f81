import { isDeepStrictEqual } from 'node:util';

/** Throughput scenarios, then the one-connection latency runs. */
export const SCENARIO_IDS = ['A', 'A′', 'B', 'B-nolog', 'C', 'H', 'H-rust', 'AD', 'AD′', 'D', 'D-nolog', 'HD', 'HD-rust', 'A@1', 'A′@1', 'B@1'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** Which gateway child answers (AD shares A's, AD′ A′'s, HD H's, HD-rust H-rust's). */
export type TargetId = 'A' | 'A′' | 'B' | 'B-nolog' | 'C' | 'D' | 'D-nolog' | 'H' | 'H-rust';

/** The peers a user would pick instead of our gateway (Hive Gateway, bench/processes/hive.ts). */
export function isPeer(target: TargetId): boolean {
  return target === 'H' || target === 'H-rust';
}

export interface ScenarioSpec {
  id: ScenarioId;
  target: TargetId;
  /** Throughput runs use --connections; latency runs one connection. */
  load: 'throughput' | 'latency';
  /** The operation asked: A's 50-candidate page or D's employer page. */
  page: 'candidates' | 'employer';
  /** Who asks (see callerFor in run.ts). */
  caller: 'compliance' | 'support' | 'employer';
  description: string;
}

export const SCENARIOS: Record<ScenarioId, ScenarioSpec> = {
  A: { id: 'A', target: 'A', load: 'throughput', page: 'candidates', caller: 'compliance', description: 'plain @apollo/gateway, default fetcher, JWT + signed assertion, no enforcement' },
  'A′': { id: 'A′', target: 'A′', load: 'throughput', page: 'candidates', caller: 'compliance', description: 'our gateway, enforcement off' },
  B: { id: 'B', target: 'B', load: 'throughput', page: 'candidates', caller: 'compliance', description: 'our gateway, enforcement on, purpose allows every field (compliance, LEGAL_OBLIGATION)' },
  'B-nolog': { id: 'B-nolog', target: 'B-nolog', load: 'throughput', page: 'candidates', caller: 'compliance', description: 'B with the access log and provision records off (the price of accountability: B against it)' },
  C: { id: 'C', target: 'C', load: 'throughput', page: 'candidates', caller: 'support', description: 'our gateway, support under FRAUD_PREVENTION: email, phone masked, address redacted' },
  H: { id: 'H', target: 'H', load: 'throughput', page: 'candidates', caller: 'compliance', description: "Hive Gateway (@graphql-hive/gateway-runtime, its JS query planner), Node's http server, A's JWT check + signed assertion + binding, in-flight deduplication off" },
  'H-rust': { id: 'H-rust', target: 'H-rust', load: 'throughput', page: 'candidates', caller: 'compliance', description: "H with Hive Router's Rust query planner (@graphql-hive/router-runtime)" },
  AD: { id: 'AD', target: 'A', load: 'throughput', page: 'employer', caller: 'employer', description: "plain @apollo/gateway (A's process) on D's employer page: same employer and query, the subgraphs' row filter only, no field enforcement" },
  'AD′': { id: 'AD′', target: 'A′', load: 'throughput', page: 'employer', caller: 'employer', description: "our gateway with enforcement off (A′'s process) on D's employer page: the transport alone on that page" },
  D: { id: 'D', target: 'D', load: 'throughput', page: 'employer', caller: 'employer', description: 'our gateway, employer page of 100 consenting candidates: row filter, per-field consent, 2 masks' },
  'D-nolog': { id: 'D-nolog', target: 'D-nolog', load: 'throughput', page: 'employer', caller: 'employer', description: 'D with the access log and provision records off' },
  HD: { id: 'HD', target: 'H', load: 'throughput', page: 'employer', caller: 'employer', description: "Hive Gateway (H's process) on D's employer page: the subgraphs' row filter only, no field enforcement" },
  'HD-rust': { id: 'HD-rust', target: 'H-rust', load: 'throughput', page: 'employer', caller: 'employer', description: "Hive Gateway with the Rust query planner (H-rust's process) on D's employer page" },
  'A@1': { id: 'A@1', target: 'A', load: 'latency', page: 'candidates', caller: 'compliance', description: 'A at one connection' },
  'A′@1': { id: 'A′@1', target: 'A′', load: 'latency', page: 'candidates', caller: 'compliance', description: 'A′ at one connection' },
  'B@1': { id: 'B@1', target: 'B', load: 'latency', page: 'candidates', caller: 'compliance', description: 'B at one connection' },
};

/**
 * The pages, in two plans. `entity` (the default): a job's applicants, over two subgraphs — employers answers the job
 * and its applications, users the candidates' personal fields in one entity fetch of 50 (or 100) — the plan the
 * candidate search had before it moved to the users subgraph, so figures compare with the earlier runs on equal
 * plans. `search`: the candidate search itself, now one users fetch (`--plan search`).
 */
export type PagePlan = 'entity' | 'search';

const CANDIDATE_FIELDS = 'id fullName email phone address { prefecture city }';
const EMPLOYER_FIELDS = 'id fullName email birthDate address { prefecture } resume { summary skills }';

export const PAGE_QUERIES: Record<PagePlan, { candidates: string; employer: string }> = {
  entity: {
    candidates: `query CandidatePage($job: ID!) { job(id: $job) { applications(first: 50) { nodes { candidate { ${CANDIDATE_FIELDS} } } } } }`,
    employer: `query EmployerPage($job: ID!) { job(id: $job) { applications(first: 100) { nodes { candidate { ${EMPLOYER_FIELDS} } } } } }`,
  },
  search: {
    candidates: `query CandidatePage { candidates(first: 50) { nodes { ${CANDIDATE_FIELDS} } } }`,
    employer: `query EmployerPage { candidates(first: 100) { nodes { ${EMPLOYER_FIELDS} } } }`,
  },
};

/** The search plan's pages (bench/shape.ts plans them). */
export const CANDIDATE_PAGE_QUERY = PAGE_QUERIES.search.candidates;
export const EMPLOYER_PAGE_QUERY = PAGE_QUERIES.search.employer;

/** The candidates of a page's answer, in either plan (a null application candidate stays null). */
export function pageNodes(body: { data?: Record<string, any> | null } | null | undefined): any[] {
  const data = body?.data;
  if (data?.candidates) return data.candidates.nodes ?? [];
  return (data?.job?.applications?.nodes ?? []).map((n: { candidate: unknown }) => n.candidate);
}

export const LEGAL_BASIS_REFERENCE = 'bench court order 2026-0042';

export interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

/** What a validated reference response contained (reported per scenario). */
export interface ResponseSummary {
  rows: number;
  errors: Record<string, number>;
  masked: Record<string, number>;
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function summarize(body: GraphQLBody): ResponseSummary {
  const rows = pageNodes(body) as unknown[];
  return {
    rows: rows.length,
    errors: tally((body.errors ?? []).map((e) => `${e.extensions?.code ?? '?'} ${e.extensions?.coordinate ?? ''}`.trim())),
    masked: tally(((body.extensions?.privacy?.masked ?? []) as { coordinate: string; strategy: string }[]).map((m) => `${m.coordinate} ${m.strategy}`)),
  };
}

type Node = Record<string, any>;

/** A candidate page that nothing withheld or masked: `rows` rows with ids and names, no errors, no masks. */
function unenforcedPageProblems(body: GraphQLBody, rows: number): string[] {
  const problems: string[] = [];
  const nodes = pageNodes(body) as Node[];
  const errors = body.errors ?? [];
  const masked = (body.extensions?.privacy?.masked ?? []) as unknown[];
  if (errors.length > 0) problems.push(`unexpected errors: ${JSON.stringify(errors.slice(0, 3))}`);
  if (masked.length > 0) problems.push(`unexpected masks: ${masked.length}`);
  if (nodes.length !== rows) problems.push(`expected ${rows} candidates, got ${nodes.length}`);
  if (nodes.some((n) => typeof n.id !== 'string' || typeof n.fullName !== 'string')) problems.push('a candidate lacks id or fullName');
  return problems;
}

/**
 * Checks one scenario's response against the expectations and against plain Apollo Gateway's data for the same
 * page; returns the problems found. `reference` is A's validated body for the candidate page (null while
 * validating A itself) and AD's for the employer page (null while validating AD).
 */
export function validate(id: ScenarioId, status: number, body: GraphQLBody, reference: GraphQLBody | null): string[] {
  const problems: string[] = [];
  if (status !== 200) problems.push(`HTTP ${status}`);
  const spec = SCENARIOS[id];
  // The peers enforce nothing: checked as A′ is on the candidate page and as AD′ is on the employer page.
  const target = id === 'AD' || id === 'AD′' ? id : isPeer(spec.target) ? (spec.page === 'employer' ? 'AD′' : 'A′') : spec.target === 'D-nolog' ? 'D' : spec.target;
  const refNodes = pageNodes(reference) as Node[];
  const errors = body.errors ?? [];
  const masked = (body.extensions?.privacy?.masked ?? []) as { path: (string | number)[]; coordinate: string; strategy: string }[];
  switch (target) {
    case 'A':
    case 'A′':
    case 'B':
    case 'B-nolog': {
      problems.push(...unenforcedPageProblems(body, 50));
      if (reference && !isDeepStrictEqual(body.data, reference.data)) problems.push('data differs from A');
      break;
    }
    case 'C': {
      const nodes = pageNodes(body) as Node[];
      if (nodes.length !== refNodes.length) problems.push(`expected ${refNodes.length} candidates, got ${nodes.length}`);
      const redacted = errors.filter((e) => e.extensions?.code === 'PII_REDACTED' && e.extensions?.coordinate === 'Candidate.address');
      if (redacted.length !== errors.length) problems.push(`unexpected errors: ${JSON.stringify(errors.filter((e) => !redacted.includes(e)).slice(0, 3))}`);
      if (redacted.length !== refNodes.length) problems.push(`expected ${refNodes.length} address redactions, got ${redacted.length}`);
      let expectedMasks = 0;
      nodes.forEach((node, i) => {
        const ref = refNodes[i] ?? {};
        if (node.id !== ref.id || node.fullName !== ref.fullName) problems.push(`candidate ${i}: id/fullName differ from A`);
        if (node.address !== null) problems.push(`candidate ${i}: address not redacted`);
        for (const key of ['email', 'phone'] as const) {
          if (ref[key] === null || ref[key] === undefined) continue;
          expectedMasks++;
          if (node[key] === ref[key]) problems.push(`candidate ${i}: ${key} not masked`);
        }
      });
      const maskedEmailPhone = masked.filter((m) => m.coordinate === 'Candidate.email' || m.coordinate === 'Candidate.phone');
      if (maskedEmailPhone.length !== masked.length || masked.length !== expectedMasks) {
        problems.push(`expected ${expectedMasks} email/phone masks, got ${masked.length}`);
      }
      break;
    }
    case 'AD':
    case 'AD′':
      problems.push(...unenforcedPageProblems(body, 100));
      if (reference && !isDeepStrictEqual(body.data, reference.data)) problems.push('data differs from AD');
      break;
    case 'D': {
      const nodes = pageNodes(body) as Node[];
      if (errors.length > 0) problems.push(`unexpected errors (consent is filtered by row, so none expected): ${JSON.stringify(errors.slice(0, 3))}`);
      if (nodes.length !== 100) problems.push(`expected 100 candidates, got ${nodes.length}`);
      // The same rows as plain Apollo Gateway (the row filter is the subgraph's); unmasked fields equal, masked ones differ.
      nodes.forEach((node, i) => {
        const ref = refNodes[i] ?? {};
        for (const key of ['id', 'fullName', 'email', 'resume'] as const) {
          if (!isDeepStrictEqual(node[key], ref[key])) problems.push(`candidate ${i}: ${key} differs from AD`);
        }
        if (ref.birthDate !== null && node.birthDate === ref.birthDate) problems.push(`candidate ${i}: birthDate not masked`);
        if (!isDeepStrictEqual(node.address, ref.address)) problems.push(`candidate ${i}: address { prefecture } differs from AD`);
      });
      const expected = nodes.filter((n) => n.birthDate !== null).length + nodes.filter((n) => n.address !== null).length;
      const ok = masked.every(
        (m) => (m.coordinate === 'Candidate.birthDate' && m.strategy === 'AGE_BAND') || (m.coordinate === 'Candidate.address' && m.strategy === 'PREFECTURE_ONLY'),
      );
      if (!ok || masked.length !== expected) problems.push(`expected ${expected} birthDate/address masks, got ${masked.length}`);
      if (nodes.some((n) => typeof n.birthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(n.birthDate))) problems.push('a raw birth date was released');
      break;
    }
  }
  return problems;
}
