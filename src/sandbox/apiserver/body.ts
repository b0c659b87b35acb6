/** Reading request bodies: raw bytes, JSON with Kubernetes' 400 for bad input, and the media type. */
import type { IncomingMessage } from 'node:http';
import { badRequest, ApiError } from './errors.js';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE, ProtobufError } from './protobuf.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024; // kube-apiserver's default request size limit

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', 'the server has received a request that is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  if (mediaType(req) === PROTOBUF_MEDIA_TYPE) {
    try {
      return decodeKubernetesProtobuf(raw);
    } catch (error) {
      if (error instanceof ProtobufError) throw badRequest(error.message);
      throw error;
    }
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

export async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  if (body === undefined) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Object \'Kind\' is missing in the request body');
  return body as Record<string, unknown>;
}

/** The media type of the request body, without parameters, lower case. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
