/** An active introspection answer, as the resource server keeps it. */
export interface ActiveAnswer {
  readonly active: true;
  readonly token_kind: 'access_token' | 'refresh_token' | 'personal_access_token';
  readonly scope: string;
  readonly sub: string;
  readonly username: string;
  readonly is_admin: boolean;
  readonly exp: number;
  readonly iat: number;
  readonly sid: string;
}

interface Entry<Caller> {
  readonly answer: ActiveAnswer;
  /** What a hit hands out, built once from `answer` when it was cached. */
  readonly caller: Caller;
  /** The earlier of "cached + TTL" and the token's own `exp`: never served past either. */
  readonly untilMs: number;
}

/**
 * A bounded cache of active answers keyed by token hash, indexed by session
 * (or PAT) id and by user, so Tessera's invalidation messages can drop them.
 * Inactive answers are never cached: a token that becomes valid (it cannot)
 * or a retry after an outage must ask again.
 */
export function createAnswerCache<Caller>(options: { maxEntries: number; ttlMs: number }) {
  // A Map keeps insertion order: the first key is the oldest, evicted first.
  const entries = new Map<string, Entry<Caller>>();
  const bySid = new Map<string, Set<string>>();
  const bySub = new Map<string, Set<string>>();
  let epoch = 0;

  function index(map: Map<string, Set<string>>, key: string, hash: string): void {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(hash);
  }

  function remove(hash: string): void {
    const entry = entries.get(hash);
    if (!entry) return;
    entries.delete(hash);
    bySid.get(entry.answer.sid)?.delete(hash);
    bySub.get(entry.answer.sub)?.delete(hash);
    if (bySid.get(entry.answer.sid)?.size === 0) bySid.delete(entry.answer.sid);
    if (bySub.get(entry.answer.sub)?.size === 0) bySub.delete(entry.answer.sub);
  }

  return {
    get(hash: string, nowMs: number): Caller | undefined {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (nowMs >= entry.untilMs) {
        remove(hash);
        return undefined;
      }
      return entry.caller;
    },
    /** Read before asking Tessera; an invalidation in between keeps the (maybe stale) answer out. */
    epoch: () => epoch,
    set(hash: string, answer: ActiveAnswer, caller: Caller, nowMs: number, epochBefore: number): void {
      if (epochBefore !== epoch) return;
      const untilMs = Math.min(nowMs + options.ttlMs, answer.exp * 1000);
      if (untilMs <= nowMs) return;
      remove(hash);
      while (entries.size >= options.maxEntries) remove(entries.keys().next().value!);
      entries.set(hash, { answer, caller, untilMs });
      index(bySid, answer.sid, hash);
      index(bySub, answer.sub, hash);
    },
    invalidate(invalidation: { kind: string; id?: string }): void {
      epoch += 1;
      if (invalidation.kind === 'session' && invalidation.id) for (const hash of [...(bySid.get(invalidation.id) ?? [])]) remove(hash);
      else if (invalidation.kind === 'user' && invalidation.id) for (const hash of [...(bySub.get(invalidation.id) ?? [])]) remove(hash);
      else if (invalidation.kind === 'client') return; // a deleted service client changes no token's answer
      else this.clear();
    },
    clear(): void {
      epoch += 1;
      entries.clear();
      bySid.clear();
      bySub.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

/** What the invalidation subscriber needs of a cache, whatever it hands out. */
export type AnswerCache = Pick<ReturnType<typeof createAnswerCache>, 'invalidate' | 'clear'>;
