/** Every API path lives under this prefix (API.md); the probes stay at the root. */
export const API_PREFIX = '/api/v1';
