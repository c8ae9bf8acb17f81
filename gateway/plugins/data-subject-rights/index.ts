import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { CryptoKey } from 'jose';
import { parse } from 'graphql';
import { callerColumns, type AuditEntry } from '../../../audit/chain.ts';
import type { Database } from '../../../db/client.ts';
import type { BoundCaller } from '../../../directives/caller.ts';
import { isProjectError } from '../../../directives/errors.ts';
import { readPrivacyIndex, type PrivacyIndex } from '../../../directives/policy.ts';
import { categoryUses } from '../../../directives/privacy-map.ts';
import { isUuid } from '../../../directives/protocol/ids.ts';
import { readStandingHold } from '../../../ledger/holds.ts';
import {
  claimRequest,
  completeOpenRequest,
  leaseRequest,
  markRequestVersionsLogged,
  readOpenRequests,
  readRequest,
  readUnloggedRequests,
  requestLease,
  updateRequest,
  type DsrRequest,
  type DsrStep,
} from '../../../ledger/requests.ts';
import type { GatewayContext } from '../../core/context.ts';
import type { GatewayPlugin } from '../../core/plugin.ts';
import type { Logger } from '../../logger.ts';
import { createCallerHeaders } from '../caller-assertion/index.ts';

/** Where a candidate downloads an export: `GET /privacy/exports/{requestId}`. */
export const EXPORT_PATH = '/privacy/exports/:requestId';

export interface DataSubjectRightsOptions {
  /** The `privacy` schema's database (requests, holds), read and written through `ledger/`. */
  db: Database;
  /** Where each subgraph listens: every one is asked directly (the contract's fields are `@inaccessible`). */
  subgraphUrls: Readonly<Record<string, string | undefined>>;
  /** Signs the caller assertion of each direct call, as the caller-assertion plugin does for planned calls. */
  assertionKey: { kid: string; privateKey: CryptoKey };
  bindingKey: Uint8Array;
  /** Commits one access-log event (the audit plugin's writer); rejects when it cannot. */
  recordAccess: (entry: AuditEntry) => Promise<void>;
  /** How often the orchestrator looks for open erasures and unlogged requests (default 2 000 ms, `DSR_INTERVAL_MS`). */
  intervalMs?: number;
  /** The longest wait before a failed erasure step is tried again (default 60 000 ms); the first retry waits one interval. */
  maxBackoffMs?: number;
  /** How long one subgraph call may take (default 10 000 ms). */
  subgraphTimeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
}

/** The data-subject-rights plugin, with a way to run one pass of its loop now (tests, shutdown). */
export interface DataSubjectRightsPlugin extends GatewayPlugin {
  /** Runs one pass now (or waits for the one running): erasures carried out, requests logged. */
  runOnce(): Promise<void>;
  /** Stops the loop (no timer left) once the pass in flight has finished. */
  close(): Promise<void>;
}

const EXPORT_QUERY = 'query($id: ID!) { _dataSubjectExport(subjectId: $id) { subjectId subgraph collections { name categories rowCount rows } } }';
const ERASE_MUTATION =
  'mutation($id: ID!) { _dataSubjectErase(subjectId: $id) { subjectId subgraph erased { collection action rows } kept { collection rows reason } } }';

/** A failed subgraph call, with a stable code (never a message that could carry data). */
class StepFailure extends Error {
  constructor(readonly code: 'SUBGRAPH_UNAVAILABLE' | 'SUBGRAPH_ERROR' | 'SUBGRAPH_UNKNOWN') {
    super(code);
  }
}

interface SubgraphCollection {
  name: string;
  categories: string[];
  rowCount: number;
  rows: string;
}

function isOpen(row: Pick<DsrRequest, 'status'>): boolean {
  return row.status === 'RECEIVED' || row.status === 'IN_PROGRESS';
}

/** The access-log event of a request's current state (names and statuses, never a value). */
export function requestEntry(row: DsrRequest): AuditEntry {
  return {
    event: 'DATA_SUBJECT_REQUEST',
    occurredAt: row.updatedAt,
    requestId: null,
    callerSub: row.filedBy,
    role: row.filedByRole,
    org: null,
    purpose: null,
    legalBasis: null,
    operationName: null,
    operationType: null,
    documentHash: null,
    // A request's state releases nothing: RECORDED, or REJECTED when the request was denied.
    outcome: row.status === 'DENIED' ? 'REJECTED' : 'RECORDED',
    released: [],
    masked: [],
    withheld: {},
    subjects: [row.subjectId],
    detail: {
      requestId: row.id,
      kind: row.kind,
      status: row.status,
      steps: row.steps.map((s) => ({ name: s.name, status: s.status })),
      ...(row.denialReason ? { denialReason: row.denialReason } : {}),
      ...(row.verification ? { verified: true } : {}),
    },
  };
}

function jsonError(status: number, code: string, message: string) {
  return { status, body: JSON.stringify({ errors: [{ message, extensions: { code } }] }) };
}

/**
 * Data-subject rights across the subgraphs (APPI Arts. 33, 35): the export download, the erasure orchestrator and
 * the access-log record of every request.
 * - `GET /privacy/exports/{id}` with the candidate's token and `x-purpose: SERVICE_PROVISION` asks every subgraph for
 *   its part of the data-subject contract and answers one JSON document (with each category's purposes and policy
 *   clauses); the download is written to the access log before it leaves, then the request is completed and the link
 *   refused (410). A failing subgraph is a 503 and leaves the request open.
 * - A loop claims open ERASURE requests (one replica at a time: `claimRequest` and a lease), runs each subgraph's
 *   `_dataSubjectErase` in the request's step order, records each step, completes the request only when every step is
 *   done and retries failed steps with a bounded backoff. A subject under legal hold: the request is DENIED
 *   (LEGAL_HOLD) before anything is erased.
 * - Every request (of any kind, filed by any module) gets a DATA_SUBJECT_REQUEST event per state it reaches.
 * @example useDataSubjectRights({ db, subgraphUrls, assertionKey: keys.assertion, bindingKey: keys.bindingKey, recordAccess: (e) => audit.record(e) })
 */
export function useDataSubjectRights(options: DataSubjectRightsOptions): DataSubjectRightsPlugin {
  const intervalMs = options.intervalMs ?? 2_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const timeoutMs = options.subgraphTimeoutMs ?? 10_000;
  for (const [name, value] of Object.entries({ intervalMs, maxBackoffMs, timeoutMs })) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`Data-subject rights option ${name} must be a positive number of milliseconds, got ${value}.`);
  }
  const now = options.now ?? (() => new Date());
  const headersFor = createCallerHeaders(options.assertionKey, options.bindingKey);
  /** This replica, as a lease holder. */
  const replica = randomUUID();
  const retryAt = new Map<string, { at: number; failures: number }>();
  let index: PrivacyIndex | undefined;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const callSubgraph = async <T>(subgraph: string, caller: BoundCaller, query: string, subjectId: string, field: string): Promise<T> => {
    const url = options.subgraphUrls[subgraph];
    if (!url) throw new StepFailure('SUBGRAPH_UNKNOWN');
    const body = JSON.stringify({ query, variables: { id: subjectId } });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await headersFor(caller, body)) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new StepFailure('SUBGRAPH_UNAVAILABLE');
    }
    let result: { data?: Record<string, unknown> | null; errors?: unknown[] };
    try {
      result = (await response.json()) as typeof result;
    } catch {
      throw new StepFailure('SUBGRAPH_ERROR');
    }
    const value = result.data?.[field];
    if (!response.ok || (result.errors && result.errors.length > 0) || value === undefined || value === null) throw new StepFailure('SUBGRAPH_ERROR');
    return value as T;
  };

  /** Records one state of a request in the access log now; false when it could not (the next pass logs it). */
  const logState = async (row: DsrRequest): Promise<boolean> => {
    try {
      await options.recordAccess(requestEntry(row));
      await markRequestVersionsLogged(options.db, [row]);
      return true;
    } catch {
      return false;
    }
  };

  /** Changes the request and logs its new state at once, so no state it passes through goes unlogged. */
  const save = async (id: string, change: Parameters<typeof updateRequest>[2]) => {
    const updated = await updateRequest(options.db, id, change);
    if (updated) await logState(updated);
  };

  // --- the export download ---

  const deliverExport = async (caller: BoundCaller, requestId: string, httpRequestId: string) => {
    if (caller.role !== 'candidate' || caller.purpose !== 'SERVICE_PROVISION') {
      return jsonError(403, 'FORBIDDEN', 'Only the candidate the export is about downloads it, under SERVICE_PROVISION.');
    }
    if (!isUuid(requestId)) return jsonError(400, 'BAD_USER_INPUT', 'The request id in the path must be a UUID.');
    const row = await readRequest(options.db, requestId.toLowerCase());
    // Someone else's request reads as missing.
    if (!row || row.kind !== 'EXPORT' || row.subjectId !== caller.sub.toLowerCase()) return jsonError(404, 'NOT_FOUND', 'No export request with that id.');
    if (!isOpen(row)) return jsonError(410, 'NOT_FOUND', 'This export was already delivered (or denied): ask for a new one with requestMyDataExport.');
    if (row.loggedAt === null && !(await logState(row))) return jsonError(503, 'AUDIT_UNAVAILABLE', 'The access log could not be written; nothing personal was released.');
    const parts: Record<string, { collections: unknown[] }> = {};
    const steps: DsrStep[] = [];
    const at = now();
    for (const step of row.steps) {
      try {
        const part = await callSubgraph<{ collections: SubgraphCollection[] }>(step.name, caller, EXPORT_QUERY, row.subjectId, '_dataSubjectExport');
        parts[step.name] = {
          collections: part.collections.map((c) => ({ name: c.name, categories: c.categories, rowCount: c.rowCount, rows: JSON.parse(c.rows) as unknown })),
        };
        steps.push({ name: step.name, status: 'DONE', attempts: step.attempts + 1, lastAttemptAt: at.toISOString(), doneAt: at.toISOString(), detail: { collections: part.collections.length } });
      } catch (error) {
        const code = error instanceof StepFailure ? error.code : 'SUBGRAPH_ERROR';
        options.logger?.warn({ requestId: httpRequestId, dsrRequestId: row.id, subgraph: step.name, code }, 'data-subject export: a subgraph failed');
        // The request stays open; the step says what failed (a stable code), so the candidate and compliance can see it.
        const failed = row.steps.map((s) => (s.name === step.name ? { ...s, status: 'FAILED' as const, attempts: s.attempts + 1, lastError: code, lastAttemptAt: at.toISOString() } : s));
        await save(row.id, { steps: failed, status: 'IN_PROGRESS', at }).catch(() => {});
        return jsonError(503, 'SERVICE_UNAVAILABLE', 'Part of the export could not be assembled: try again later; the request stays open.');
      }
    }
    const document = {
      subjectId: row.subjectId,
      requestId: row.id,
      generatedAt: at.toISOString(),
      subgraphs: parts,
      categories: index ? categoryUses(index) : [],
    };
    // The download releases personal data: it is in the access log before it leaves (a row too many, when a concurrent
    // download wins below, is the safe side).
    try {
      await options.recordAccess({
        event: 'DATA_SUBJECT_REQUEST',
        occurredAt: at,
        requestId: httpRequestId,
        ...callerColumns(caller),
        operationName: null,
        operationType: null,
        documentHash: null,
        outcome: 'RELEASED',
        released: [],
        masked: [],
        withheld: {},
        subjects: [row.subjectId],
        detail: {
          requestId: row.id,
          kind: 'EXPORT',
          action: 'DOWNLOAD',
          collections: Object.values(parts).flatMap((p) => (p.collections as { name: string; rowCount: number }[]).map((c) => ({ name: c.name, rows: c.rowCount }))),
        },
      });
    } catch {
      return jsonError(503, 'AUDIT_UNAVAILABLE', 'The access log could not be written; nothing personal was released.');
    }
    const completed = await completeOpenRequest(options.db, row.id, steps, at);
    if (!completed) return jsonError(410, 'NOT_FOUND', 'This export was already delivered (or denied): ask for a new one with requestMyDataExport.');
    await logState(completed);
    return { status: 200, body: JSON.stringify(document), filename: `data-export-${row.id}.json` };
  };

  // --- the erasure orchestrator ---

  /** The orchestrator's identity towards the subgraphs (see the comment where it is used). */
  const erasureCaller = (row: DsrRequest): BoundCaller => ({
    sub: `dsr:${row.id}`,
    role: 'compliance',
    org: null,
    purposes: ['LEGAL_OBLIGATION'],
    purpose: 'LEGAL_OBLIGATION',
    legalBasis: `APPI Art. 35 data-subject request ${row.id}`,
  });

  const leaseMs = () => Math.max(60_000, timeoutMs * 6);

  /** Takes the request for this replica, or null when another replica holds it or it is no longer an open erasure. */
  const take = (id: string): Promise<DsrRequest | null> =>
    options.db.transaction(async (tx) => {
      const row = await claimRequest(tx, id);
      if (!row || row.kind !== 'ERASURE' || !isOpen(row)) return null;
      const lease = requestLease(row, now());
      if (lease && lease.holder !== replica) return null;
      await leaseRequest(tx, id, { holder: replica, until: new Date(now().getTime() + leaseMs()).toISOString() });
      return row;
    });

  const release = (id: string) => leaseRequest(options.db, id, null).catch(() => {});

  const runErasure = async (id: string): Promise<void> => {
    const row = await take(id);
    if (!row) return;
    try {
      // The state it was filed in is logged before anything changes it (or the request waits for the next pass).
      if (row.loggedAt === null && !(await logState(row))) return;
      // A subject under legal hold: nothing is erased; the request is denied and says why (the candidate may ask again
      // once the hold is released).
      if (await readStandingHold(options.db, row.subjectId)) {
        await save(row.id, { status: 'DENIED', denialReason: 'LEGAL_HOLD', at: now() });
        retryAt.delete(row.id);
        return;
      }
      // The orchestrator acts for compliance (the role the contract accepts besides the subject, who is not present),
      // as `dsr:<request id>` so the consent ledger and the subgraphs' records name the request, under LEGAL_OBLIGATION:
      // carrying out the person's request is the business's duty under APPI Art. 35, and the reference says which one.
      const caller = erasureCaller(row);
      const steps = row.steps.map((s) => ({ ...s }));
      if (row.status === 'RECEIVED') await save(row.id, { status: 'IN_PROGRESS', at: now() });
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        if (step.status === 'DONE') continue;
        const at = now();
        try {
          const answer = await callSubgraph<{ erased: unknown[]; kept: unknown[] }>(step.name, caller, ERASE_MUTATION, row.subjectId, '_dataSubjectErase');
          steps[i] = { name: step.name, status: 'DONE', attempts: step.attempts + 1, lastAttemptAt: at.toISOString(), doneAt: now().toISOString(), detail: { erased: answer.erased, kept: answer.kept } };
        } catch (error) {
          const code = error instanceof StepFailure ? error.code : 'SUBGRAPH_ERROR';
          steps[i] = { ...step, status: 'FAILED', attempts: step.attempts + 1, lastError: code, lastAttemptAt: at.toISOString() };
          await save(row.id, { steps, at: now() });
          const failures = (retryAt.get(row.id)?.failures ?? 0) + 1;
          retryAt.set(row.id, { failures, at: now().getTime() + Math.min(maxBackoffMs, intervalMs * 2 ** (failures - 1)) });
          options.logger?.warn({ dsrRequestId: row.id, subgraph: step.name, code, failures }, 'data-subject erasure: a step failed; it is retried');
          // A later step waits for the earlier ones.
          return;
        }
        await save(row.id, { steps, at: now() });
      }
      await save(row.id, { steps, status: 'COMPLETED', at: now() });
      retryAt.delete(row.id);
    } finally {
      await release(row.id);
    }
  };

  const runErasures = async () => {
    const open = await readOpenRequests(options.db, { kind: 'ERASURE', limit: 100 });
    for (const row of open) {
      if (closed) return;
      const wait = retryAt.get(row.id);
      if (wait && wait.at > now().getTime()) continue;
      await runErasure(row.id);
    }
  };

  // --- the access log of every request ---

  const logRequests = async () => {
    for (let pass = 0; pass < 10; pass++) {
      const rows = await readUnloggedRequests(options.db, 100);
      if (rows.length === 0) return;
      // Marked logged only after the writer committed them: nothing is lost if it fails (the next pass tries again).
      await Promise.all(rows.map((row) => options.recordAccess(requestEntry(row))));
      await markRequestVersionsLogged(options.db, rows);
      if (rows.length < 100) return;
    }
  };

  const pass = async () => {
    // Logged before and after the erasures run, so each state a request passes through is recorded.
    try {
      await logRequests();
    } catch (error) {
      options.logger?.warn({ code: isProjectError(error) ? error.code : 'INTERNAL' }, 'data-subject requests could not be logged yet; retried on the next tick');
    }
    try {
      await runErasures();
    } catch (error) {
      options.logger?.warn({ code: isProjectError(error) ? error.code : 'INTERNAL' }, 'data-subject erasure pass failed; retried on the next tick');
    }
    try {
      await logRequests();
    } catch (error) {
      options.logger?.warn({ code: isProjectError(error) ? error.code : 'INTERNAL' }, 'data-subject requests could not be logged yet; retried on the next tick');
    }
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void runOnce(), intervalMs).unref();
  };

  const runOnce = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !closed);
    })().finally(() => {
      running = null;
      schedule();
    });
    return running;
  };

  function kick() {
    if (!closed) setImmediate(() => void runOnce());
  }

  const apolloPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ operation }) {
          // A mutation may have filed a request (an erasure, a correction, …): carry it out and log it now.
          if (operation?.operation === 'mutation') kick();
        },
      };
    },
  };

  // The first pass one interval after start picks up requests a previous process left open.
  schedule();

  return {
    name: 'data-subject-rights',
    onSchema({ coreSupergraphSdl }) {
      index = readPrivacyIndex(parse(coreSupergraphSdl)).index;
    },
    apolloPlugins: () => [apolloPlugin],
    routes(app, runtime) {
      app.get<{ Params: { requestId: string } }>(EXPORT_PATH, async (request, reply) => {
        let answer: { status: number; body: string; filename?: string };
        try {
          const caller = await runtime.bindCaller(request);
          answer = await deliverExport(caller, request.params.requestId, request.id);
        } catch (error) {
          if (isProjectError(error)) answer = jsonError(error.httpStatus, error.code, error.message);
          else answer = jsonError(503, 'SERVICE_UNAVAILABLE', 'The export could not be delivered: try again later.');
        }
        reply.code(answer.status).header('content-type', 'application/json; charset=utf-8');
        if (answer.filename) reply.header('content-disposition', `attachment; filename="${answer.filename}"`);
        return reply.send(answer.body);
      });
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    runOnce,
  };
}
