import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { sql } from 'drizzle-orm';
import { parse } from 'graphql';
import { callerColumns, type AuditEntry } from '../../../audit/chain.ts';
import type { CheckpointKey } from '../../../audit/checkpoint.ts';
import type { Provision } from '../../../audit/provision.ts';
import { createAuditWriter, type AuditWriter, type AuditWriterMetrics, type AuditWriterOptions } from '../../../audit/writer.ts';
import type { Database } from '../../../db/client.ts';
import type { AuditOutcome } from '../../../db/schema/audit.ts';
import { decide } from '../../../directives/decide.ts';
import { PrivacyError, toGraphQLError } from '../../../directives/errors.ts';
import { readPrivacyIndex, type PrivacyIndex } from '../../../directives/policy.ts';
import { PURPOSES } from '../../../directives/purposes.ts';
import type { GatewayContext, PrivacyOutcome } from '../../core/context.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';

/** Where the writer's counters are served as JSON. */
export const AUDIT_METRICS_PATH = '/metrics/audit';

export interface AuditLogOptions extends Omit<AuditWriterOptions, 'db' | 'checkpointKey'> {
  /** Where the log and the provision records are written (the `privacy` schema). */
  db: Database;
  /** Signs the chain's checkpoints (`DevKeys.audit`, or the production key). */
  checkpointKey: CheckpointKey;
}

/** The audit plugin, with its writer's counters. */
export interface AuditLogPlugin extends GatewayPlugin {
  /** This process's chain in the access log. */
  readonly chainId: string;
  /** Batch sizes, commit latency and failures of the writer (plain counters). */
  metrics(): AuditWriterMetrics;
  /**
   * Writes one privacy event that is not a GraphQL operation (a data-subject request, an export download) through
   * the same writer and chain: resolves once committed, rejects with AUDIT_UNAVAILABLE otherwise.
   */
  record(entry: AuditEntry): Promise<void>;
  /** Drains the writer and signs the chain's final checkpoint. */
  close(): Promise<void>;
}

/** Why a coordinate removed before planning was removed: the same pure decision the plan made. */
function plannedReason(index: PrivacyIndex | undefined, coordinate: string, caller: GatewayContext['caller']): string {
  const decision = decide(index?.fields.get(coordinate), caller);
  return decision.kind === 'deny' ? decision.reason : 'UNKNOWN_POLICY';
}

/** The access-log entry of an operation, or null when it touched no personal field. */
export function accessEntry(
  privacy: PrivacyOutcome,
  context: GatewayContext,
  operation: { documentHash: string | null; at: Date; index?: PrivacyIndex },
): AuditEntry | null {
  const disclosure = privacy.disclosure;
  const released = disclosure ? [...disclosure.released.keys()].sort() : [];
  const withheld: Record<string, string[]> = {};
  for (const coordinate of privacy.denied) withheld[coordinate] = [plannedReason(operation.index, coordinate, context.caller)];
  for (const [coordinate, reasons] of disclosure?.withheld ?? []) withheld[coordinate] = [...new Set([...(withheld[coordinate] ?? []), ...reasons])].sort();
  // One (coordinate, strategy) pair per kind of mask, in order, without building a key per masked value.
  const strategies = new Map<string, Set<string>>();
  for (const m of privacy.masked) {
    const set = strategies.get(m.coordinate);
    if (set) set.add(m.strategy);
    else strategies.set(m.coordinate, new Set([m.strategy]));
  }
  const masked: { coordinate: string; strategy: string }[] = [];
  for (const coordinate of [...strategies.keys()].sort()) for (const strategy of [...strategies.get(coordinate)!].sort()) masked.push({ coordinate, strategy });
  const withheldCount = Object.keys(withheld).length;
  if (!privacy.rejected && released.length === 0 && withheldCount === 0 && masked.length === 0) return null;
  const subjects = new Set<string>();
  for (const ids of disclosure?.released.values() ?? []) for (const id of ids) if (id !== null) subjects.add(id);
  const outcome: AuditOutcome = privacy.rejected ? 'REJECTED' : released.length === 0 ? 'WITHHELD' : withheldCount > 0 ? 'PARTIAL' : 'RELEASED';
  const { caller } = context;
  return {
    event: 'FIELD_ACCESS',
    occurredAt: operation.at,
    requestId: context.requestId,
    ...callerColumns(caller),
    operationName: privacy.operationName,
    operationType: privacy.operationType,
    documentHash: operation.documentHash,
    outcome,
    released,
    masked,
    withheld,
    subjects: [...subjects].sort(),
    detail: {},
  };
}

/**
 * The third-party provisions of an operation (APPI Art. 29): under a per-employer consent purpose, one per subject
 * whose values reached the employer, on the consent event that allowed it; under a legal basis, one per subject, on
 * the declared reference. A consent-based release whose consent event is unknown cannot be recorded: it throws.
 */
export function provisionsOf(privacy: PrivacyOutcome, context: GatewayContext, at: Date, index: PrivacyIndex | undefined): Provision[] {
  const disclosure = privacy.disclosure;
  if (!disclosure || disclosure.released.size === 0) return [];
  const { caller } = context;
  const definition = PURPOSES[caller.purpose];
  const toEmployer = definition.consent === 'subject-and-recipient';
  if (!toEmployer && !definition.legalBasis) return [];
  // In coordinate order: each subject's list comes out sorted, as a provision record keeps it. Subjects provided the
  // same coordinates (most of a page) share one items list and one categories list.
  const coordinates = [...disclosure.released.keys()].sort();
  const items = new Map<string, { items: string[]; categories: string[] }>();
  const category = (c: string) => {
    const field = index?.fields.get(c);
    return field?.kind === 'pii' ? field.policy.category : 'UNCLASSIFIED';
  };
  if (coordinates.length <= 30) {
    // Each subject's coordinates as a bit set, then one list per distinct set.
    const sets = new Map<string, number>();
    for (let i = 0; i < coordinates.length; i++) {
      for (const subject of disclosure.released.get(coordinates[i]!)!) if (subject !== null) sets.set(subject, (sets.get(subject) ?? 0) | (1 << i));
    }
    const bySet = new Map<number, { items: string[]; categories: string[] }>();
    for (const [subject, set] of sets) {
      let list = bySet.get(set);
      if (!list) {
        const chosen = coordinates.filter((_, i) => (set & (1 << i)) !== 0);
        bySet.set(set, (list = { items: chosen, categories: chosen.map(category) }));
      }
      items.set(subject, list);
    }
  } else {
    const bySubject = new Map<string, string[]>();
    const lists = new Map<string, { items: string[]; categories: string[] }>();
    for (const coordinate of coordinates) {
      for (const subject of disclosure.released.get(coordinate)!) {
        if (subject === null) continue;
        let list = bySubject.get(subject);
        if (!list) bySubject.set(subject, (list = []));
        list.push(coordinate);
      }
    }
    for (const [subject, list] of bySubject) {
      const key = list.join('\u0001');
      let shared = lists.get(key);
      if (!shared) lists.set(key, (shared = { items: list, categories: list.map(category) }));
      items.set(subject, shared);
    }
  }
  if (toEmployer && caller.org === null) throw new PrivacyError('AUDIT_UNAVAILABLE', 'A provision record could not be written.');
  if (!toEmployer && caller.legalBasis === null) throw new PrivacyError('AUDIT_UNAVAILABLE', 'A provision record could not be written.');
  // One recipient (and, under a legal basis, one basis) for every provision of the response.
  const recipient: Provision['recipient'] = toEmployer ? { kind: 'EMPLOYER', id: caller.org! } : { kind: 'LEGAL_BASIS' };
  const legalBasis: Provision['basis'] | null = toEmployer ? null : { kind: 'LEGAL_BASIS', reference: caller.legalBasis! };
  const provisions: Provision[] = [];
  for (const [subjectId, { items: provided, categories }] of items) {
    let basis: Provision['basis'] | null = legalBasis;
    if (basis === null) {
      const eventId = disclosure.consentEvents.get(subjectId);
      if (typeof eventId !== 'number') throw new PrivacyError('AUDIT_UNAVAILABLE', 'A provision record could not be written.');
      basis = { kind: 'CONSENT', consentEventId: eventId };
    }
    provisions.push({ at, recipient, subjectId, items: provided, categories, basis, requestId: context.requestId });
  }
  return provisions;
}

/** A statistics release as a subgraph reports it (`extensions.statisticsReleases`): ids and ε, never a count. */
export interface ReportedRelease {
  subgraph: string;
  releaseId: string;
  queryKey: string;
  epsilonCharged: number;
  epsilon: number;
  period: string;
  reused: boolean;
}

/** The releases a subgraph reported, or null when the report is malformed (the answer is then refused). */
export function reportedReleases(subgraph: string, value: unknown): ReportedRelease[] | null {
  if (!Array.isArray(value)) return null;
  const releases: ReportedRelease[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const r = item as Record<string, unknown>;
    if (
      typeof r.releaseId !== 'string' ||
      typeof r.queryKey !== 'string' ||
      typeof r.period !== 'string' ||
      typeof r.reused !== 'boolean' ||
      typeof r.epsilonCharged !== 'number' ||
      typeof r.epsilon !== 'number' ||
      !Number.isFinite(r.epsilonCharged) ||
      !Number.isFinite(r.epsilon)
    ) {
      return null;
    }
    releases.push({ subgraph, releaseId: r.releaseId, queryKey: r.queryKey, epsilonCharged: r.epsilonCharged, epsilon: r.epsilon, period: r.period, reused: r.reused });
  }
  return releases;
}

/**
 * The access-log entry of one statistics release: who asked, under which purpose, which release (its id in
 * `privacy.statistics_releases`, the query's key, the period) and the ε it charged (0 for a stored answer returned
 * again). No coordinate or subject: a release holds noisy counts only.
 */
export function releaseEntry(release: ReportedRelease, context: GatewayContext, operation: { documentHash: string | null; at: Date; operationName: string | null; operationType: string | null }): AuditEntry {
  const { caller } = context;
  return {
    event: 'STATISTICS_RELEASE',
    occurredAt: operation.at,
    requestId: context.requestId,
    ...callerColumns(caller),
    operationName: operation.operationName,
    operationType: operation.operationType,
    documentHash: operation.documentHash,
    outcome: 'RELEASED',
    released: [],
    masked: [],
    withheld: {},
    subjects: [],
    detail: {
      subgraph: release.subgraph,
      releaseId: release.releaseId,
      queryKey: release.queryKey,
      period: release.period,
      epsilonCharged: release.epsilonCharged,
      epsilon: release.epsilon,
      reused: release.reused,
    },
  };
}

/** Replaces a response with AUDIT_UNAVAILABLE (HTTP 503): nothing of what it held leaves. */
function refuse(requestContext: GraphQLRequestContextWillSendResponse<GatewayContext>): void {
  const error = toGraphQLError(new PrivacyError('AUDIT_UNAVAILABLE', 'The access log could not be written; nothing personal was released.'));
  requestContext.response.body = { kind: 'single', singleResult: { errors: [{ message: error.message, extensions: { code: 'AUDIT_UNAVAILABLE' } }] } };
  requestContext.response.http.status = 503;
}

/**
 * Accountability: every operation that touched a personal field (released, masked, withheld or refused) is written
 * to the access log, and every third-party provision to the provision records, before its response leaves. It reads
 * `context.privacy` in `willSendResponse`, so it runs after enforcement has shaped the response, and holds the
 * response until the write commits (group commit, audit/writer.ts); if the write fails or takes longer than the
 * commit timeout, the response is replaced by AUDIT_UNAVAILABLE (HTTP 503). Operations that touched no personal
 * field are neither logged nor held. `close` drains the writer and signs the chain's final checkpoint.
 * @example startGateway({ …, audit: { db, checkpointKey: keys.audit } }) // or useAuditLog({ db, checkpointKey })
 */
export function useAuditLog(options: AuditLogOptions): AuditLogPlugin {
  const writer: AuditWriter = createAuditWriter(options);
  const now = options.now ?? (() => new Date());
  let index: PrivacyIndex | undefined;

  // Statistics each request's subgraph calls released; `null` marks a malformed report (the answer is refused).
  const releases = new WeakMap<GatewayContext, ReportedRelease[] | null>();

  const record = async (requestContext: GraphQLRequestContextWillSendResponse<GatewayContext>) => {
    const context = requestContext.contextValue;
    const privacy = context.privacy;
    const released = releases.get(context);
    if (released !== undefined) {
      releases.delete(context);
      const operation = {
        documentHash: requestContext.queryHash ?? null,
        at: now(),
        operationName: privacy?.operationName ?? requestContext.operationName ?? null,
        operationType: privacy?.operationType ?? requestContext.operation?.operation ?? null,
      };
      try {
        if (released === null) throw new PrivacyError('AUDIT_UNAVAILABLE', 'A statistics release could not be recorded.');
        await Promise.all(released.map((r) => writer.record(releaseEntry(r, context, operation), [])));
      } catch {
        refuse(requestContext);
        return;
      }
    }
    if (!privacy) return;
    const at = now();
    const entry = accessEntry(privacy, context, { documentHash: requestContext.queryHash ?? null, at, index });
    if (!entry) return;
    try {
      await writer.record(entry, provisionsOf(privacy, context, at, index));
    } catch {
      refuse(requestContext);
    }
  };

  let seen = { batches: 0, failedBatches: 0 };
  const apolloPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return { willSendResponse: record };
    },
  };

  return {
    name: 'audit-log',
    chainId: writer.chainId,
    onSchema({ coreSupergraphSdl }) {
      index = readPrivacyIndex(parse(coreSupergraphSdl)).index;
    },
    onSubgraphExtensions({ subgraph, extensions, context }) {
      if (!('statisticsReleases' in extensions)) return;
      const reported = reportedReleases(subgraph, extensions.statisticsReleases);
      const earlier = releases.get(context);
      releases.set(context, reported === null || earlier === null ? null : [...(earlier ?? []), ...reported]);
    },
    apolloPlugins: () => [apolloPlugin],
    routes(app) {
      // Counters only (no personal data), for the operations issue and the benchmark to read.
      app.get(AUDIT_METRICS_PATH, async (_request, reply) => reply.header('content-type', 'application/json').send(JSON.stringify(writer.metrics())));
    },
    // Ready while the log's database answers and the last batch it tried was committed: a replica that could not
    // record a release refuses it (AUDIT_UNAVAILABLE), so the load balancer should stop sending it personal reads.
    async readiness() {
      const answers = await options.db.execute(sql`select 1`).then(
        () => true,
        () => false,
      );
      if (!answers) return { name: 'access-log', ok: false };
      const { batches, failedBatches } = writer.metrics();
      // Since the previous check: batches failed and none was committed.
      const failing = failedBatches > seen.failedBatches && batches === seen.batches;
      seen = { batches, failedBatches };
      return { name: 'access-log', ok: !failing };
    },
    metrics: () => writer.metrics(),
    record: (entry) => writer.record(entry),
    close: () => writer.close(),
  };
}
