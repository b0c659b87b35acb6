#!/usr/bin/env node
/**
 * Follows a cairn release order over graphql-ws until it reaches a state that waits for someone:
 *
 *   CAIRN_TOKEN=… node examples/node/follow-release.mjs <order id>
 *
 * Prints one line per event (the order's progress, its instances, their Kubernetes events). Exits 0
 * when the order COMPLETED, 10 when it is PAUSED (resume it, then follow again), 1 when it ended
 * otherwise (FAILED, CLOSED, ROLLED_BACK), 3 when cairn refused the token (close code 4403).
 * CAIRN_URL (default http://127.0.0.1:4000/graphql) says where cairn is. It sends the operation's
 * persisted hash (examples/operations.ids.json), not its document, so it runs under
 * CAIRN_PERSISTED_ONLY=true; a cairn that does not know the hash gets the document once instead.
 */
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const orderId = process.argv[2];
if (!orderId) {
  console.error('usage: follow-release.mjs <order id>');
  process.exit(2);
}
const url = (process.env.CAIRN_URL ?? 'http://127.0.0.1:4000/graphql').replace(/^http/, 'ws');
const NAME = 'FollowReleaseOrder';
const hash = JSON.parse(readFileSync(new URL('../operations.ids.json', import.meta.url), 'utf8'))[NAME];
/** The subscription as its persisted hash (graphql-ws wants a query: an empty one), or as its document. */
const byHash = { operationName: NAME, query: '', variables: { id: orderId }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
const byDocument = () => ({ operationName: NAME, query: readFileSync(new URL(`../operations/${NAME}.graphql`, import.meta.url), 'utf8'), variables: { id: orderId } });
const EXIT = { COMPLETED: 0, PAUSED: 10, FAILED: 1, CLOSED: 1, ROLLED_BACK: 1 };
/** cairn closes with 4403 when it refuses the token (unknown, revoked, expired); 4401: not authenticated. */
const REFUSED = [4401, 4403];

const client = createClient({
  url,
  webSocketImpl: WebSocket, // Node 20 has no WebSocket of its own
  connectionParams: { authorization: `Bearer ${process.env.CAIRN_TOKEN ?? ''}` },
  // A dropped connection is retried (graphql-ws subscribes again: the feed starts with a new snapshot);
  // a refused token is not: retrying cannot help, and the error must reach the caller at once.
  retryAttempts: 5,
  shouldRetry: (event) => !REFUSED.includes(event?.code),
});

let last = '';
/** Prints the feed until the order reaches a state that waits for someone; returns the exit code. */
async function follow(payload) {
  for await (const result of client.iterate(payload)) {
    if (result.errors) throw result.errors;
    const event = result.data.releaseOrderFeed;
    const order = event.releaseOrder;
    const line = order && `order ${order.state}: ${order.batchesDone} of ${order.batchCount} batches done`;
    if (line && line !== last) console.log((last = line));
    for (const instance of event.instances ?? (event.instance ? [event.instance] : [])) console.log(`  ${instance.name} ${instance.status}`);
    if (event.event) console.log(`  ${event.event.type} ${event.event.reason} ${event.event.instanceName}: ${event.event.message}`);
    if (event.__typename === 'BufferExceeded') console.log(`  (events missed: ${event.message})`);
    if (order && order.state in EXIT) return EXIT[order.state];
  }
  throw new Error('the feed ended before the order settled');
}
/** GraphQL errors (an array, as graphql-ws gives them) that name this code. */
const hasCode = (error, code) => Array.isArray(error) && error.some((e) => e?.extensions?.code === code);

try {
  try {
    process.exitCode = await follow(hash ? byHash : byDocument());
  } catch (error) {
    if (!hash || !hasCode(error, 'PERSISTED_QUERY_NOT_FOUND')) throw error;
    process.exitCode = await follow(byDocument()); // this cairn loaded another manifest
  }
} catch (error) {
  if (REFUSED.includes(error?.code)) {
    console.error(`cairn refused the token: ${error.code} ${error.reason}`);
    process.exitCode = 3;
  } else if (Array.isArray(error)) {
    console.error(error.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
    process.exitCode = 1;
  } else {
    console.error(error?.message ?? `connection closed: ${error?.code} ${error?.reason}`);
    process.exitCode = 1;
  }
} finally {
  await client.dispose();
}
