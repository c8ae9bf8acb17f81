/**
 * The release of a table of counts: the discrete Laplace mechanism on every cell of the known domain, then
 * post-processing on the noisy values only (clamp at 0, suppress below the threshold). Suppressing on the true
 * count would leak whether a cell is small; post-processing a noisy value costs no privacy.
 */
import { createExactRandom, sampleDiscreteLaplace, type ExactRandom } from './sampler.ts';
import { EPSILON_SCALE } from './accountant.ts';

/** A noisy count below this is released as suppressed (the NDB open data's and DPC's rule of ten). */
export const SUPPRESSION_THRESHOLD = 10;

/** One cell to release: its key in the table's dimensions and its true count. */
export interface TrueCell {
  key: readonly string[];
  count: number;
}

/** One released cell: the noisy count, or null when suppressed. */
export interface ReleasedCell {
  key: readonly string[];
  count: number | null;
  suppressed: boolean;
}

export interface ReleaseInput {
  /** Every cell of the known domain (zero counts included). */
  cells: readonly TrueCell[];
  /** The most cells one data subject can add 1 to in this table (L1 sensitivity). */
  sensitivity: number;
  /** ε of this release, in thousandths (see EPSILON_SCALE). */
  epsilonMilli: number;
}

/**
 * Adds discrete Laplace noise of scale sensitivity/ε to every cell, then clamps and suppresses.
 * @example releaseCounts({ cells: [{ key: ['東京都'], count: 120 }], sensitivity: 1, epsilonMilli: 1000 })
 */
export function releaseCounts(input: ReleaseInput, random: ExactRandom = createExactRandom()): ReleasedCell[] {
  const { sensitivity, epsilonMilli } = input;
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) throw new RangeError('The sensitivity must be a positive integer.');
  if (!Number.isSafeInteger(epsilonMilli) || epsilonMilli < 1) throw new RangeError('ε must be a positive number of thousandths.');
  return input.cells.map((cell) => {
    if (!Number.isSafeInteger(cell.count) || cell.count < 0) throw new RangeError('A true count must be a non-negative integer.');
    // scale = sensitivity / ε = (sensitivity · EPSILON_SCALE) / epsilonMilli
    const noisy = Math.max(0, cell.count + sampleDiscreteLaplace(random, sensitivity * EPSILON_SCALE, epsilonMilli));
    const suppressed = noisy < SUPPRESSION_THRESHOLD;
    return { key: cell.key, count: suppressed ? null : noisy, suppressed };
  });
}

/**
 * The expected absolute noise of one cell, E|Z| = 2p / (1 - p²) with p = exp(-ε / sensitivity): what ε means
 * for accuracy (before clamping and suppression). Not on the release path.
 */
export function expectedAbsoluteError(epsilon: number, sensitivity: number): number {
  const p = Math.exp(-epsilon / sensitivity);
  return (2 * p) / (1 - p * p);
}
