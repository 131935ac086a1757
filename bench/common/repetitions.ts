/**
 * The order a benchmark's runs take: every side once per repetition, the order reversed every other repetition
 * (A B, B A, …) so drift on the machine and the after-effects of the previous run (freed memory, page cache) hit every
 * side alike; with `warmUp`, one round first whose results are discarded (`counted` false).
 */
export function* alternating<S>(sides: readonly S[], reps: number, warmUp = false): Generator<{ side: S; counted: boolean }> {
  for (let rep = warmUp ? -1 : 0; rep < reps; rep++) {
    for (const side of rep & 1 ? [...sides].reverse() : sides) yield { side, counted: rep >= 0 };
  }
}
