/** IntOrString values such as maxSurge "25%" or 1, resolved as intstr.GetScaledValueFromIntOrPercent. */

export type IntOrString = number | string;

export function scaledValue(value: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    const n = Number(value);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}`);
  }
  const percent = Number(m[1]);
  const raw = (percent * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}
