import { UAParser } from 'ua-parser-js';

const MAX_DEVICE_NAME_LENGTH = 100;

/**
 * A short, human name for a device from its User-Agent, such as
 * "Firefox on Windows" or "curl", for session lists when the client gave none.
 */
export function deviceNameFromUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = new UAParser(userAgent).getResult();
  const name =
    browser.name && os.name
      ? `${browser.name} on ${os.name}`
      : (browser.name ?? os.name ?? firstProductName(userAgent));
  return name.slice(0, MAX_DEVICE_NAME_LENGTH);
}

/** "curl/8.5.0 (x86_64)" → "curl": the first product token of RFC 9110 §10.1.5. */
function firstProductName(userAgent: string): string {
  return /^[^\s/]+/.exec(userAgent.trim())?.[0] ?? 'Unknown device';
}
