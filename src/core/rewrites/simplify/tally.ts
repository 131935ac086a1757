/**
 * Counts of what simplify changed, summed over rounds and graphs, turned into the report's notes. A label is a
 * template: `{n}` is the count and `{s}` an "s" unless the count is 1 ("Identity ×{n} removed",
 * "{n} BatchNormalization fused into Conv", "{n} Constant node{s} → initializers").
 */
export class Tally {
  private readonly counts = new Map<string, number>();
  private readonly messages: string[] = [];

  add(label: string, n = 1): void {
    if (n > 0) this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }

  /** A note that is not a count ("constant folding skipped: …"); each distinct message once. */
  say(message: string): void {
    if (!this.messages.includes(message)) this.messages.push(message);
  }

  notes(): string[] {
    const counted = [...this.counts].map(([label, n]) => label.replaceAll('{n}', String(n)).replaceAll('{s}', n === 1 ? '' : 's'));
    return [...counted, ...this.messages];
  }
}
