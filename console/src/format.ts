/**
 * How the console writes times and devices for people: "3 minutes ago" with
 * the exact time on hover, "Chrome on macOS" rather than a User-Agent string.
 */

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const exact = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'long' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "in 14 days". */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60), 'minute');
}

/** "Jan 5, 2026, 14:03:12 UTC" in the reader's time zone, for the title attribute. */
export function exactTime(iso: string): string {
  return exact.format(new Date(iso));
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Chrome Headless'],
  [/\bChrome\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone|\biPad|\biPod/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMacintosh\b|\bMac OS X\b/, 'macOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bLinux\b/, 'Linux'],
];

/** Programs people know by another name than their product token. */
const PROGRAMS: Record<string, string> = { node: 'Node.js', undici: 'Node.js', 'python-requests': 'Python requests' };

/**
 * "Chrome on macOS", "Firefox on Windows", "curl", "Node.js": the browser and
 * system a person would name, or the program for scripts. Null for no agent.
 */
export function describeUserAgent(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser || system) return (browser ?? system)!;
  const product = /^[^\s/]+/.exec(userAgent.trim())?.[0];
  if (!product) return null;
  return PROGRAMS[product.toLowerCase()] ?? product;
}

/** A device's name: the one it was given at sign-in, else its browser and system. */
export function deviceLabel(device: { device_name: string | null; user_agent: string | null }): string {
  return device.device_name || describeUserAgent(device.user_agent) || 'Unknown device';
}

/** "1 device", "3 devices". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
