/**
 * The text the built-in echo server answers with, shaped like the
 * jmalloc/echo-server replies in seed 000: who served the request, then the
 * request itself.
 */
export interface PodIdentity {
  readonly pod: string;
  readonly namespace: string;
  readonly node: string;
  readonly cluster: string;
}

export interface EchoedRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  /** Raw header pairs in the order received. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export function echoHttpBody(id: PodIdentity, req: EchoedRequest): string {
  const lines = [
    `Request served by ${id.pod}`,
    '',
    `Pod: ${id.pod}`,
    `Namespace: ${id.namespace}`,
    `Node: ${id.node}`,
    `Cluster: ${id.cluster}`,
    '',
    `${req.method} ${req.url} HTTP/${req.httpVersion}`,
    '',
    ...req.headers.map(([k, v]) => `${k}: ${v}`),
  ];
  if (req.body.length > 0) lines.push('', req.body);
  return `${lines.join('\n')}\n`;
}

/** One datagram's answer on a UDP port. */
export function echoUdpReply(id: PodIdentity, payload: string): string {
  return `Datagram served by ${id.pod} (namespace ${id.namespace}, node ${id.node}, cluster ${id.cluster})\n${payload}`;
}

/** Headers that let scripts tell who answered without parsing the body. */
export function echoHeaders(id: PodIdentity): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'x-weft-pod': id.pod,
    'x-weft-namespace': id.namespace,
    'x-weft-node': id.node,
    'x-weft-cluster': id.cluster,
  };
}
