/**
 * One keep-alive agent per cluster: client-node 1.4 builds a new agent for every API call, so every
 * request would open (and on a real cluster, TLS-handshake) a new connection. A BoundedKubeConfig
 * hands every API call the same agent instead, so requests reuse connections.
 *
 * The bounds stay per request: `forRequest` gives a call a view of the shared agent that starts a
 * connect timer only when the request gets a socket that has not connected yet (a reused one is
 * connected), and reports a timeout to that request's deadline. Streams (Watch, Log, Exec) keep an
 * agent of their own, guarded per stream (see streamConfig).
 */
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { guardAgent, KubeTimeoutError } from './deadline.js';

/** How long an idle connection is kept (the server's Keep-Alive hint, when shorter, wins). */
const IDLE_SOCKET_MS = 30_000;
/** Connections to one API server at most (more requests wait for a free one). */
const MAX_SOCKETS = 64;

export interface KeepAliveAgents {
  /** The cluster's shared agent for these TLS options (one per distinct CA/cert/key set). */
  shared(secure: boolean, options: AgentOptions): HttpAgent;
  /** A view of `agent` for one request: a new connection must connect within `connectMs`, else `onTimeout`. */
  forRequest(agent: HttpAgent, connectMs: number, onTimeout: (error: KubeTimeoutError) => void, onSocket?: (reused: boolean) => void): HttpAgent;
  /** Whether `agent` is one of these shared agents. */
  isShared(agent: unknown): agent is HttpAgent;
}

const optionsKey = (secure: boolean, o: AgentOptions) =>
  JSON.stringify([secure, String(o.ca ?? ''), String(o.cert ?? ''), String(o.key ?? ''), o.rejectUnauthorized ?? null, o.servername ?? null, o.passphrase ?? null]);

export function createKeepAliveAgents(signal?: AbortSignal): KeepAliveAgents {
  const agents = new Map<string, HttpAgent>();
  const sharedAgents = new WeakSet<object>();
  /** Sockets that finished connecting (TCP, and TLS for https). */
  const connected = new WeakSet<Socket>();

  const markWhenConnected = (agent: HttpAgent) => {
    const target = agent as unknown as { createConnection: (...args: unknown[]) => Socket | undefined };
    const create = target.createConnection.bind(agent);
    target.createConnection = (...args: unknown[]) => {
      const socket = create(...args);
      if (socket) socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => connected.add(socket));
      return socket;
    };
  };

  return {
    shared(secure, options) {
      const key = optionsKey(secure, options);
      let agent = agents.get(key);
      if (!agent) {
        const common = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const, maxSockets: MAX_SOCKETS };
        agent = secure ? new HttpsAgent({ ...options, ...common }) : new HttpAgent({ ...common });
        // Shutdown destroys every socket, idle or busy.
        guardAgent(agent, { signal });
        markWhenConnected(agent);
        agents.set(key, agent);
        sharedAgents.add(agent);
      }
      return agent;
    },
    forRequest(agent, connectMs, onTimeout, onSocket) {
      return new Proxy(agent, {
        get(target, property) {
          if (property === 'addRequest') {
            return (request: ClientRequest, options: unknown) => {
              request.once('socket', (socket: Socket) => {
                onSocket?.(request.reusedSocket);
                if (connectMs > 0) watchConnect(socket, request, connectMs, onTimeout);
              });
              return (target as unknown as { addRequest: (r: ClientRequest, o: unknown) => void }).addRequest(request, options);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
    isShared: (agent): agent is HttpAgent => typeof agent === 'object' && agent !== null && sharedAgents.has(agent),
  };

  function watchConnect(socket: Socket, request: ClientRequest, connectMs: number, onTimeout: (error: KubeTimeoutError) => void) {
    if (connected.has(socket)) return;
    const timer = setTimeout(() => {
      const error = new KubeTimeoutError(`no connection within ${connectMs} ms`);
      onTimeout(error);
      socket.destroy(error);
    }, connectMs);
    timer.unref();
    const done = () => clearTimeout(timer);
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', done);
    socket.once('close', done);
    request.once('close', done);
  }
}
