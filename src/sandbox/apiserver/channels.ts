/**
 * The remotecommand WebSocket channel protocols (k8s.io/apimachinery/pkg/util/httpstream/wsstream):
 * every message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize);
 * the base64 variants send text frames with the channel as an ASCII digit; v5 adds channel 255
 * (`[255, n]` closes stream n).
 */

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** Protocols served, best first. The empty protocol means channel.k8s.io. */
export const PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'v3.base64.channel.k8s.io',
  'v2.base64.channel.k8s.io',
  'base64.channel.k8s.io',
] as const;

/** The first protocol the client offers that is served (the client's preference wins, as in wsstream). */
export function chooseProtocol(offered: Iterable<string>): string | false {
  const list = [...offered];
  if (list.length === 0) return '';
  return list.find((p) => (PROTOCOLS as readonly string[]).includes(p)) ?? false;
}

export const isBase64 = (protocol: string) => protocol.includes('base64');
/** v4 and later send a JSON Status on the error channel; earlier versions send a plain message. */
export const statusIsJson = (protocol: string) => protocol.startsWith('v4.') || protocol.startsWith('v5.');

export function encodeFrame(protocol: string, channel: number, data: Buffer): Buffer | string {
  if (isBase64(protocol)) return `${channel}${data.toString('base64')}`;
  return Buffer.concat([Buffer.from([channel]), data]);
}

export function decodeFrame(protocol: string, message: Buffer, isBinary: boolean): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  if (isBase64(protocol) && !isBinary) {
    const text = message.toString('utf8');
    return { channel: Number(text[0]), data: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: message[0]!, data: message.subarray(1) };
}
