/** Small date helpers for lifetimes; all times are stored as ISO-8601 UTC strings. */

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

export function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

export function iso(date: Date): string {
  return date.toISOString();
}

/** Whole seconds from `now` until `later`, never negative. */
export function secondsUntil(later: string, now: Date): number {
  return Math.max(0, Math.floor((Date.parse(later) - now.getTime()) / 1000));
}
