/**
 * Histogram calibration as onnxruntime's HistogramCollector does it (onnxruntime/python/tools/quantization/
 * calibrate.py @b15ffcd; ../shared/guide/reference-algorithms.md §1.4): `collect_value` (Entropy, and Percentile
 * with symmetric=false) keeps a signed histogram over [−th, th]; `collect_absolute_value` (Percentile, symmetric by
 * default) keeps a histogram of |x|. Each call of `add` is one onnxruntime `collect` call; later calls widen the
 * histogram by whole bins exactly as `merge_histogram` and the `np.arange` extension do.
 *
 * numpy is matched where it decides which bin a value lands in: edges are float32 (`np.linspace(..., dtype=float32)`,
 * computed in float32 as numpy 2 does), bin indices come from float32 arithmetic and are then corrected against the
 * edges (numpy's `_histogram` for uniform bins), explicit edges count `[e_i, e_i+1)` with the last bin closed
 * (`_search_sorted_inclusive`). Everything loops over typed arrays with no per-element allocation.
 */
import { OmnihubError } from '../../errors.js';

const f32 = Math.fround;

/**
 * A histogram that onnxruntime would need gigabytes for (a first sample of tiny range, a later one huge) is
 * coarsened instead: past this many bins, neighbouring bins are merged pairwise. onnxruntime has no such limit.
 * The KL search is quadratic in the number of bins, so Entropy passes a lower limit (ENTROPY_MAX_BINS).
 */
export const MAX_BINS = 65536;
export const ENTROPY_MAX_BINS = 4096;

export interface Histogram {
  /** Counts per bin (float64 holds exact integers up to 2^53). */
  hist: Float64Array;
  /** bins + 1 float32 edges. */
  edges: Float32Array;
  min: number;
  max: number;
  /** collect_value only: the half-width the signed histogram covers (float32). */
  threshold: number;
}

/** np.linspace(first, last, bins + 1, dtype=float32), evaluated in float32 like numpy 2 (start, stop are float32). */
export function linspaceF32(first: number, last: number, bins: number): Float32Array {
  const edges = new Float32Array(bins + 1);
  const step = f32(f32(last - first) / bins);
  for (let i = 0; i <= bins; i++) edges[i] = f32(f32(i * step) + first);
  edges[bins] = last;
  return edges;
}

/** numpy's `_get_outer_edges` for a given (or data) range: equal ends are widened by 0.5 each way. */
function outerEdges(first: number, last: number): [number, number] {
  if (first === last) return [f32(first - 0.5), f32(last + 0.5)];
  return [first, last];
}

/**
 * Adds the values to `hist` over uniform bins between edges[0] and edges[bins] (np.histogram with bins=int and a
 * range): values outside, and NaN, are dropped. `abs` histograms |x| without a copy.
 */
export function addUniform(values: Float32Array, edges: Float32Array, hist: Float64Array, abs = false): void {
  const bins = hist.length;
  const first = edges[0];
  const last = edges[bins];
  const denom = f32(last - first);
  for (let k = 0; k < values.length; k++) {
    const x = abs ? Math.abs(values[k]) : values[k];
    if (!(x >= first && x <= last)) continue;
    // f_indices = ((x − first) / denom) · bins, all float32, truncated; then numpy's ±1 corrections against edges.
    let i = Math.trunc(f32(f32(f32(x - first) / denom) * bins));
    if (i >= bins) i = bins - 1;
    if (x < edges[i]) i--;
    else if (i !== bins - 1 && x >= edges[i + 1]) i++;
    hist[i]++;
  }
}

/** np.histogram with explicit (sorted, float32) edges: bin i counts edges[i] ≤ x < edges[i+1], the last one closed. */
export function addExplicit(values: Float32Array, edges: Float32Array, hist: Float64Array, abs = false): void {
  const bins = hist.length;
  const first = edges[0];
  const last = edges[bins];
  for (let k = 0; k < values.length; k++) {
    const x = abs ? Math.abs(values[k]) : values[k];
    if (!(x >= first && x <= last)) continue;
    if (x === last) {
      hist[bins - 1]++;
      continue;
    }
    // Largest i with edges[i] ≤ x.
    let lo = 0;
    let hi = bins;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= x) lo = mid;
      else hi = mid;
    }
    hist[lo]++;
  }
}

/** Minimum and maximum, NaN ignored (a NaN never lands in a bin either); [0, 0] for no values. */
function range(values: Float32Array, abs: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const x = abs ? Math.abs(values[k]) : values[k];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

function checkBins(bins: number, what: string): void {
  if (!Number.isSafeInteger(bins) || bins < 1) throw new OmnihubError('unsupported', `calibration histogram for ${what}: ${bins} bins`);
}

/** collect_value for one batch: a histogram over [−th, th], later batches merged by merge_histogram. */
export function collectValue(old: Histogram | undefined, values: Float32Array, numBins: number, maxBins = MAX_BINS): Histogram {
  const [min, max] = range(values, false);
  const threshold = Math.max(Math.abs(min), Math.abs(max));
  if (!old) {
    const [first, last] = outerEdges(-threshold, threshold);
    const edges = linspaceF32(first, last, numBins);
    const hist = new Float64Array(numBins);
    addUniform(values, edges, hist);
    return { hist, edges, min, max, threshold };
  }
  const merged = { min: Math.min(old.min, min), max: Math.max(old.max, max) };
  if (threshold <= old.threshold) {
    // The batch fits the current bins: same number of bins over the same range (the edges are equal).
    const hist = Float64Array.from(old.hist);
    addUniform(values, old.edges, hist);
    return { ...old, hist, ...merged };
  }
  if (old.threshold === 0) {
    const [first, last] = outerEdges(-threshold, threshold);
    const edges = linspaceF32(first, last, old.hist.length);
    const hist = new Float64Array(old.hist.length);
    addUniform(values, edges, hist);
    // onnxruntime adds the old counts bin by bin although the bins moved (hist += old_hist).
    for (let i = 0; i < hist.length; i++) hist[i] += old.hist[i];
    return { hist, edges, ...merged, threshold };
  }
  // Widen by whole old strides on each side: stride = 2·th/bins, half = int((new − old) // stride + 1), in float32.
  let oldHist = old.hist;
  let stride = f32(f32(2 * old.threshold) / oldHist.length);
  let half = Math.floor(f32(threshold - old.threshold) / stride) + 1;
  while (oldHist.length + 2 * half > maxBins && oldHist.length >= 2) {
    oldHist = halveBins(oldHist);
    stride = f32(f32(2 * old.threshold) / oldHist.length);
    half = Math.floor(f32(threshold - old.threshold) / stride) + 1;
  }
  const bins = oldHist.length + 2 * half;
  checkBins(bins, 'a widened tensor');
  const newThreshold = f32(f32(half * stride) + old.threshold);
  const edges = linspaceF32(-newThreshold, newThreshold, bins);
  const hist = new Float64Array(bins);
  addUniform(values, edges, hist);
  for (let i = 0; i < oldHist.length; i++) hist[half + i] += oldHist[i];
  return { hist, edges, ...merged, threshold: newThreshold };
}

/** Pairs of bins summed: the same range in half the bins (an odd last bin stays alone). */
function halveBins(hist: Float64Array): Float64Array {
  const out = new Float64Array(Math.ceil(hist.length / 2));
  for (let i = 0; i < hist.length; i++) out[i >> 1] += hist[i];
  return out;
}

/**
 * collect_absolute_value for one batch: the first batch makes `numBins` uniform bins over [min|x|, max|x|]; a later
 * batch whose max|x| passes the last edge appends `np.arange(last + w, amax + w, w)` edges; counts then go into
 * the (possibly non-uniform) edges, values below the first edge being dropped as numpy drops them.
 */
export function collectAbsolute(old: Histogram | undefined, values: Float32Array, numBins: number, maxBins = MAX_BINS): Histogram {
  const [min, max] = range(values, false);
  if (!old) {
    const [lo, hi] = range(values, true);
    const [first, last] = outerEdges(lo, hi);
    const edges = linspaceF32(first, last, numBins);
    const hist = new Float64Array(numBins);
    addUniform(values, edges, hist, true);
    return { hist, edges, min, max, threshold: 0 };
  }
  let edges = old.edges;
  let oldHist = old.hist;
  const [, amax] = range(values, true);
  if (amax > edges[edges.length - 1]) {
    let width = f32(edges[1] - edges[0]);
    // np.arange length: ceil((stop − start) / step), in float64 on the float32 ends.
    const count = () => Math.max(0, Math.ceil((f32(amax + width) - f32(edges[edges.length - 1] + width)) / width));
    while (oldHist.length + count() > maxBins && oldHist.length >= 2) {
      edges = Float32Array.from({ length: oldHist.length % 2 ? (oldHist.length + 3) >> 1 : (oldHist.length >> 1) + 1 }, (_, i) => edges[Math.min(2 * i, edges.length - 1)]);
      oldHist = halveBins(oldHist);
      width = f32(edges[1] - edges[0]);
    }
    const start = f32(edges[edges.length - 1] + width);
    const n = count();
    const extended = new Float32Array(edges.length + n);
    extended.set(edges);
    // numpy fills arange as start + i·delta, delta = (start + step) − start, in float32.
    const delta = f32(f32(start + width) - start);
    for (let i = 0; i < n; i++) extended[edges.length + i] = f32(start + f32(i * delta));
    edges = extended;
  }
  const hist = new Float64Array(edges.length - 1);
  addExplicit(values, edges, hist, true);
  for (let i = 0; i < oldHist.length; i++) hist[i] += oldHist[i];
  return { hist, edges, min: Math.min(old.min, min), max: Math.max(old.max, max), threshold: 0 };
}

/**
 * compute_percentile: cdf = cumsum(hist / total); symmetric → ±edges[searchsorted(cdf, p/100)], else
 * edges[searchsorted(cdf, (100−p)/200)] and edges[searchsorted(cdf, 1 − (100−p)/200)]; then clipped to the
 * observed [min, max].
 */
export function percentileRange(h: Histogram, percentile: number, symmetric: boolean): [number, number] {
  let total = 0;
  for (let i = 0; i < h.hist.length; i++) total += h.hist[i];
  const cdf = new Float64Array(h.hist.length);
  let acc = 0;
  for (let i = 0; i < h.hist.length; i++) {
    acc += h.hist[i] / total;
    cdf[i] = acc;
  }
  // np.searchsorted(cdf, v) ('left'): the first index whose cdf is ≥ v (len(cdf) when none is).
  const search = (v: number) => {
    let lo = 0;
    let hi = cdf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let lo: number;
  let hi: number;
  if (symmetric) {
    const edge = h.edges[search(percentile / 100)];
    lo = -edge;
    hi = edge;
  } else {
    const cut = (100 - percentile) / 200;
    lo = h.edges[search(cut)];
    hi = h.edges[search(1 - cut)];
  }
  if (lo < h.min) lo = h.min;
  if (hi > h.max) hi = h.max;
  return [lo, hi];
}

/** smooth_distribution(eps=1e-4), float32 as onnxruntime computes it; null when every entry is 0. */
function smooth(p: Float64Array, out: Float64Array): boolean {
  let zeros = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) zeros++;
  const nonzeros = p.length - zeros;
  if (!nonzeros) return false;
  const eps = 0.0001;
  const eps1 = (eps * zeros) / nonzeros;
  const up = f32(eps);
  const down = f32(-eps1);
  for (let i = 0; i < p.length; i++) out[i] = f32(f32(p[i]) + (p[i] === 0 ? up : down));
  return true;
}

/** scipy.stats.entropy(p, q): both normalised, Σ p·log(p/q) (computed in float64; scipy works in float32 here). */
function klDivergence(p: Float64Array, q: Float64Array, n: number): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    sp += p[i];
    sq += q[i];
  }
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    if (pi > 0) kl += qi > 0 ? pi * Math.log(pi / qi) : Infinity;
  }
  return kl;
}

/**
 * get_entropy_threshold (TensorRT's KL search as onnxruntime writes it): for i from nq/2 to bins/2 the slice
 * [zero−i, zero+i+1) is the reference p with the outliers added to its end bins; q merges the slice into nq bins
 * (the remainder into the last), then spreads each merged count evenly over its non-zero bins (stored into an
 * int64 array, so truncated) — both smoothed; the i of least KL gives (edges[start], edges[end]), clipped to the
 * observed [min, max].
 */
export function entropyRange(h: Histogram, numQuantizedBins: number): [number, number] {
  const hist = h.hist;
  const bins = hist.length;
  const zero = bins >> 1;
  const halfQ = numQuantizedBins >> 1;
  const prefix = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) prefix[i + 1] = prefix[i] + hist[i];
  const p = new Float64Array(bins);
  const q = new Float64Array(bins);
  const ps = new Float64Array(bins);
  const qs = new Float64Array(bins);
  const merged = new Float64Array(numQuantizedBins);
  let best = Infinity;
  let bestIndex = -1;
  let bestRange: [number, number] = [h.edges[0], h.edges[bins]];
  for (let i = halfQ; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, bins);
    const n = end - start;
    for (let k = 0; k < n; k++) p[k] = hist[start + k];
    p[0] += prefix[start];
    p[n - 1] += prefix[bins] - prefix[end];
    const per = Math.floor(n / numQuantizedBins);
    merged.fill(0);
    for (let b = 0; b < numQuantizedBins; b++) for (let k = b * per; k < (b + 1) * per; k++) merged[b] += hist[start + k];
    for (let k = numQuantizedBins * per; k < n; k++) merged[numQuantizedBins - 1] += hist[start + k];
    q.fill(0, 0, n);
    for (let b = 0; b < numQuantizedBins; b++) {
      let norm = 0;
      for (let k = b * per; k < (b + 1) * per; k++) if (p[k] !== 0) norm++;
      if (norm) {
        const value = Math.trunc(merged[b] / norm);
        for (let k = b * per; k < (b + 1) * per; k++) q[k] = value;
      }
    }
    const pv = ps.subarray(0, n);
    const qv = qs.subarray(0, n);
    const kl = smooth(p.subarray(0, n), pv) && smooth(q.subarray(0, n), qv) ? klDivergence(pv, qv, n) : Infinity;
    // np.argmin: the first minimum wins (the first candidate when every KL is infinite).
    if (bestIndex < 0 || kl < best) {
      best = kl;
      bestIndex = i;
      bestRange = [h.edges[start], h.edges[end]];
    }
  }
  let [lo, hi] = bestRange;
  if (lo < h.min) lo = h.min;
  if (hi > h.max) hi = h.max;
  return [lo, hi];
}
