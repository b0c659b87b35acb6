/**
 * A raw watch: `GET <path>?watch=true` on a sandbox API server with node:http, newline-delimited
 * JSON events handed over with the moment their bytes arrived (performance.now()). It resumes from
 * the last resourceVersion when the server ends the stream, and starts afresh (initial ADDED
 * events) after a 410. No client library between the wire and the timestamp.
 */
import { request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec?: any;
  status?: any;
}

export interface RawWatch {
  /** Resolves once the server answered the first watch request. */
  opened: Promise<void>;
  stop(): void;
}

export function rawWatch(baseUrl: string, path: string, onEvent: (type: WatchEventType, object: KubeObject, at: number) => void): RawWatch {
  let stopped = false;
  let current: ClientRequest | null = null;
  let version = '';
  let opened!: () => void;
  const openedPromise = new Promise<void>((r) => (opened = r));
  const open = () => {
    if (stopped) return;
    const separator = path.includes('?') ? '&' : '?';
    const url = new URL(`${path}${separator}watch=true&allowWatchBookmarks=true${version ? `&resourceVersion=${version}` : ''}`, baseUrl);
    const req = request(url, { method: 'GET' }, (res) => {
      opened();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: KubeObject & { code?: number } };
          if (event.type === 'ERROR') {
            if (event.object.code === 410) version = '';
            continue;
          }
          if (event.object.metadata?.resourceVersion) version = event.object.metadata.resourceVersion;
          if (event.type === 'BOOKMARK') continue;
          onEvent(event.type as WatchEventType, event.object, at);
        }
      });
      res.on('end', () => setTimeout(open, 10));
      res.on('error', () => setTimeout(open, 100));
    });
    req.on('error', () => {
      if (!stopped) setTimeout(open, 100);
    });
    req.end();
    current = req;
  };
  open();
  return {
    opened: openedPromise,
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}
