import { createServer, type Server, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { createInvalidationBus } from '../../src/auth/invalidation-bus.ts';
import { createRedis } from '../../src/db/redis.ts';
import { watchRedis } from '../../src/db/redis-status.ts';
import { createSilentLogger } from '../../src/logger.ts';
import { createAnswerCache } from '../../src/resource-server/answer-cache.ts';
import { subscribeToInvalidations } from '../../src/resource-server/invalidations.ts';
import { waitFor } from '../helpers/fault-proxy.ts';

/**
 * Both subscribers to the invalidation channel (Tessera's bus and the
 * resource-server client) must survive a connection that drops right after
 * reconnecting, with their SUBSCRIBE in flight. ioredis's own resubscription
 * drops that command's promise, so the rejection was unhandled and ended the
 * process (it failed CI once, in the Redis outage suite). A fake Redis makes
 * the moment exact: after a drop, it answers the ready check, then
 * closes when the next SUBSCRIBE arrives. The subscriber must then subscribe
 * on the connection after, so it hears again once Redis is back.
 */

const CHANNEL = 'tessera_test:auth-cache';

interface FakeRedis {
  readonly url: string;
  /** How many SUBSCRIBE commands arrived, on any connection. */
  subscribes(): number;
  /** Ends the connection that subscribed first, as a Redis restart would. */
  dropFirstSubscriber(): void;
}

/**
 * The smallest Redis that ioredis connects to (INFO, SUBSCRIBE, PUBLISH that
 * reaches subscribers, and +OK for the rest), except that it closes the connection that sends the
 * second SUBSCRIBE instead of answering it.
 */
async function startFakeRedis(t: ExecutionContext): Promise<FakeRedis> {
  const sockets = new Set<Socket>();
  let subscribes = 0;
  let firstSubscriber: Socket | undefined;
  const subscribed = new Set<Socket>(); // to CHANNEL, the only channel here
  const deliver = (channel: string, message: string) => {
    for (const socket of subscribed) {
      if (socket.destroyed) subscribed.delete(socket);
      else socket.write(`*3\r\n${bulk('message')}${bulk(channel)}${bulk(message)}`);
    }
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let buffered = '';
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let parsed = parseCommand(buffered); parsed; parsed = parseCommand(buffered)) {
        buffered = buffered.slice(parsed.length);
        if (parsed.command[0]?.toLowerCase() === 'subscribe') {
          subscribes += 1;
          firstSubscriber ??= socket;
          if (subscribes === 2) {
            socket.destroy();
            return;
          }
        }
        if (parsed.command[0]?.toLowerCase() === 'subscribe') subscribed.add(socket);
        if (parsed.command[0]?.toLowerCase() === 'publish') deliver(parsed.command[1]!, parsed.command[2]!);
        socket.write(replyTo(parsed.command));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `redis://127.0.0.1:${port}`, subscribes: () => subscribes, dropFirstSubscriber: () => firstSubscriber!.destroy() };
}

function parseCommand(text: string): { command: string[]; length: number } | undefined {
  const header = /^\*(\d+)\r\n/.exec(text);
  if (!header) return undefined;
  let at = header[0].length;
  const command: string[] = [];
  for (let i = 0; i < Number(header[1]); i += 1) {
    const size = /^\$(\d+)\r\n/.exec(text.slice(at));
    if (!size) return undefined;
    const start = at + size[0].length;
    const end = start + Number(size[1]);
    if (text.length < end + 2) return undefined;
    command.push(text.slice(start, end));
    at = end + 2;
  }
  return { command, length: at };
}

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

function replyTo([name = '', ...args]: string[]): string {
  switch (name.toLowerCase()) {
    case 'info':
      return bulk('# Server\r\nredis_version:7.0.0\r\nloading:0\r\n');
    case 'subscribe':
      return args.map((channel, i) => `*3\r\n${bulk('subscribe')}${bulk(channel)}:${i + 1}\r\n`).join('');
    case 'publish':
      return ':1\r\n'; // delivered by the server itself
    default:
      return '+OK\r\n';
  }
}

async function expectResubscribedAfterTheDrop(redis: FakeRedis): Promise<void> {
  await waitFor('the first subscription', () => redis.subscribes() === 1, 5_000);
  redis.dropFirstSubscriber();
  await waitFor('a SUBSCRIBE cut in flight', () => redis.subscribes() === 2, 10_000);
  await waitFor('a SUBSCRIBE on the next connection', () => redis.subscribes() === 3, 10_000);
}

test('the invalidation bus resubscribes after a connection dies with its SUBSCRIBE in flight', async (t) => {
  const redis = await startFakeRedis(t);
  const client = createRedis(redis.url);
  const logger = createSilentLogger();
  const bus = createInvalidationBus({
    redis: client,
    status: watchRedis(client, logger),
    channel: CHANNEL,
    origin: 'test',
    onInvalidation: () => {},
    onHearingAgain: () => {},
    logger,
  });
  t.teardown(() => {
    bus.close();
    client.disconnect();
  });
  await expectResubscribedAfterTheDrop(redis);
  // Its own heartbeats reach it again.
  await waitFor('the bus hearing again', () => bus.hearing(), 5_000);
  t.true(bus.hearing());
});

test('the resource-server client resubscribes after a connection dies with its SUBSCRIBE in flight', async (t) => {
  const redis = await startFakeRedis(t);
  const client = createRedis(redis.url);
  const subscription = subscribeToInvalidations(client, CHANNEL, createAnswerCache({ maxEntries: 10, ttlMs: 60_000 }));
  t.teardown(() => {
    subscription.close();
    client.disconnect();
  });
  await expectResubscribedAfterTheDrop(redis);
  // Tessera's heartbeats, as its instances publish them every 250 ms.
  const heartbeat = setInterval(() => void client.publish(CHANNEL, JSON.stringify({ origin: 'tessera', beat: 1 })).catch(() => {}), 50);
  t.teardown(() => clearInterval(heartbeat));
  await waitFor('the client hearing again', () => subscription.hearing(), 5_000);
  t.true(subscription.hearing());
});

test('the resource-server client subscribes even when the app hands it a lazyConnect client', async (t) => {
  const redis = await startFakeRedis(t);
  const client = new Redis(redis.url, { lazyConnect: true });
  const subscription = subscribeToInvalidations(client, CHANNEL, createAnswerCache({ maxEntries: 10, ttlMs: 60_000 }));
  t.teardown(() => {
    subscription.close();
    client.disconnect();
  });
  await waitFor('a subscription', () => redis.subscribes() === 1, 5_000);
  const heartbeat = setInterval(() => void client.publish(CHANNEL, JSON.stringify({ origin: 'tessera', beat: 1 })).catch(() => {}), 50);
  t.teardown(() => clearInterval(heartbeat));
  await waitFor('the client hearing', () => subscription.hearing(), 5_000);
  t.true(subscription.hearing());
});
