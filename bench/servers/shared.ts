/**
 * The JSON that GET /api/v1/me returns, so the baselines send a body of the
 * same shape and size as Tessera does.
 */
export function meBody(userId: string, sessionId: string) {
  return {
    id: userId,
    username: `user${userId}`,
    email: null,
    is_admin: false,
    disabled: false,
    created_at: '2026-01-01T00:00:00.000Z',
    session: {
      id: sessionId,
      device_name: 'bench',
      user_agent: null,
      ip: null,
      created_at: '2026-01-01T00:00:00.000Z',
      last_used_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2026-01-15T00:00:00.000Z',
      current: true,
    },
  };
}

export function portFromArgs(): number {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: <server> PORT');
  return port;
}

/** The HS256 key of the JWT baseline (bench only). */
export const JWT_SECRET = new TextEncoder().encode('bench-secret-bench-secret-bench-secret!');

/**
 * Serves a bench app on the port the bench passed, tells the bench when it
 * listens, and exits cleanly when told to (so `--cpu-prof` files get written).
 */
export function serveBench(app: { listen(port: number, host: string, ready: () => void): unknown }): void {
  app.listen(portFromArgs(), '127.0.0.1', () => process.send?.('ready'));
  process.on('message', (message) => {
    if (message === 'exit') process.exit(0);
  });
}
