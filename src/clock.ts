/**
 * The source of "now" for every rule that depends on time (expiry, leeway,
 * throttled writes). Injected so tests can move time instead of sleeping.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
