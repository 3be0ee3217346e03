import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { touch, trimOldest } from '#src/domain/recently-used.ts';

/**
 * Responses kept in memory are encoded once (ADR 0015): a kept member page is the same frozen
 * object on every request served it, so its JSON is made (validated against the route's
 * response schema and stringified) once, and its gzip once, for the clients that accept gzip.
 * Every other response is serialized as usual and sent as it is.
 */

/** The JSON of kept responses, with its gzip once a client asked for it; least recently used first. */
const keptJson = new Map<string, Buffer | undefined>();
const KEPT_JSON_CAPACITY = 1000;
/** Smaller bodies are not worth compressing. */
const MIN_COMPRESSED_BYTES = 1024;

function keep(json: string): void {
  touch(keptJson, json, undefined);
  trimOldest(keptJson, KEPT_JSON_CAPACITY);
}

/** The zod response serializer, which also remembers the JSON of a frozen response object. */
export const keptSerializerCompiler: typeof serializerCompiler = (route) => {
  const serialize = serializerCompiler(route);
  const kept = new WeakMap<object, string>();
  return (data: unknown) => {
    if (typeof data !== 'object' || data === null || !Object.isFrozen(data)) return serialize(data);
    let json = kept.get(data);
    if (json === undefined) {
      json = serialize(data);
      kept.set(data, json);
      keep(json);
    }
    return json;
  };
};

function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** onSend: a kept JSON body goes gzipped (made once) to a client that accepts gzip. */
export async function compressKeptResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (typeof payload !== 'string' || payload.length < MIN_COMPRESSED_BYTES) return payload;
  if (!keptJson.has(payload)) return payload;
  reply.header('vary', 'accept-encoding');
  if (!acceptsGzip(request)) return payload;
  let gzip = keptJson.get(payload);
  if (gzip === undefined) {
    gzip = gzipSync(payload);
    keptJson.set(payload, gzip);
  }
  reply.header('content-encoding', 'gzip');
  return gzip;
}
