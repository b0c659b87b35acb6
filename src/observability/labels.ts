/**
 * Label values that come from outside (operation names sent by clients, failure reasons a cluster reports) are
 * bounded: every distinct value is a time series kept for the life of the process, so only the first `max` values
 * are kept as they are and any later one is counted as `other`. Values are cut to `maxLength` characters.
 */
export interface LabelSet {
  /** The value to use as a label: itself while fewer than `max` distinct values were seen, else `other`. */
  of(value: string): string;
}

export const OTHER = 'other';

export function boundedLabels(max = 100, maxLength = 100): LabelSet {
  const seen = new Set<string>();
  return {
    of(value) {
      const cut = value.length > maxLength ? value.slice(0, maxLength) : value;
      if (seen.has(cut)) return cut;
      if (seen.size >= max) return OTHER;
      seen.add(cut);
      return cut;
    },
  };
}
