import { and, asc, eq, gt } from 'drizzle-orm';
import type { JSONWebKeySet } from 'jose';
import type { Database } from '../db/client.ts';
import { accessLog, accessLogCheckpoints } from '../db/schema/audit.ts';
import { GENESIS_HASH, rowHash, type ChainedRow } from './chain.ts';
import { createCheckpointVerifier } from './checkpoint.ts';

/** What verification found: every chain intact, or the first broken link. */
export type VerifyReport =
  | { ok: true; chains: number; rows: number; checkpoints: number }
  | { ok: false; chains: number; rows: number; checkpoints: number; chainId: string; seq: number; problem: string };

const PAGE = 5_000;

/**
 * Walks every access-log chain and its checkpoints: seqs run 1, 2, 3… without a gap, each row's prev_hash is the
 * hash before it and its hash is recomputed from its columns (audit/chain.ts), every checkpoint is signed by a key
 * of `jwks` and names a row that exists with that hash, and nothing follows a chain's final checkpoint. Stops at
 * the first broken link.
 * @example const report = await verifyAccessLog(db, { jwks }); if (!report.ok) console.error(report.problem);
 */
export async function verifyAccessLog(db: Database, options: { jwks: JSONWebKeySet }): Promise<VerifyReport> {
  const verifySignature = createCheckpointVerifier(options.jwks);
  const logged = await db.selectDistinct({ chainId: accessLog.chainId }).from(accessLog);
  const marked = await db.selectDistinct({ chainId: accessLogCheckpoints.chainId }).from(accessLogCheckpoints);
  const chainIds = [...new Set([...logged, ...marked].map((c) => c.chainId))].sort();
  let rows = 0;
  let checkpoints = 0;
  const broken = (chainId: string, seq: number, problem: string): VerifyReport => ({
    ok: false,
    chains: chainIds.length,
    rows,
    checkpoints,
    chainId,
    seq,
    problem: `chain ${chainId}, seq ${seq}: ${problem}`,
  });

  for (const chainId of chainIds) {
    const marks = await db.select().from(accessLogCheckpoints).where(eq(accessLogCheckpoints.chainId, chainId)).orderBy(asc(accessLogCheckpoints.seq));
    const markedSeqs = new Map<number, string>();
    for (const mark of marks) {
      const claim = { chainId, seq: mark.seq, hash: mark.hash, final: mark.final, signedAt: mark.signedAt };
      if (!(await verifySignature(mark.signature, claim))) return broken(chainId, mark.seq, 'checkpoint signature does not verify (altered or unknown key)');
      if (mark.seq === 0 && mark.hash !== GENESIS_HASH) return broken(chainId, 0, 'start checkpoint does not hold the genesis hash');
      markedSeqs.set(mark.seq, mark.hash);
      checkpoints++;
    }
    const final = marks.find((mark) => mark.final);

    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    for (;;) {
      const page = (await db
        .select()
        .from(accessLog)
        .where(and(eq(accessLog.chainId, chainId), gt(accessLog.seq, expectedSeq - 1)))
        .orderBy(asc(accessLog.seq))
        .limit(PAGE)) as ChainedRow[];
      for (const row of page) {
        if (row.seq !== expectedSeq) return broken(chainId, expectedSeq, `row missing (the next row is seq ${row.seq}): deleted`);
        if (row.prevHash !== prevHash) return broken(chainId, row.seq, 'prev_hash is not the hash of the row before it');
        if (rowHash(row) !== row.hash) return broken(chainId, row.seq, 'hash does not match the row: altered');
        const marked = markedSeqs.get(row.seq);
        if (marked !== undefined && marked !== row.hash) return broken(chainId, row.seq, 'row differs from its signed checkpoint');
        if (final && row.seq > final.seq) return broken(chainId, row.seq, `row after the chain's final checkpoint (seq ${final.seq})`);
        prevHash = row.hash;
        expectedSeq++;
        rows++;
      }
      if (page.length < PAGE) break;
    }
    const lastSeq = expectedSeq - 1;
    const lastMark = marks.at(-1);
    if (lastMark && lastMark.seq > lastSeq) {
      return broken(chainId, lastSeq + 1, `chain ends at seq ${lastSeq} but its checkpoint names seq ${lastMark.seq}: tail cut`);
    }
  }
  return { ok: true, chains: chainIds.length, rows, checkpoints };
}
