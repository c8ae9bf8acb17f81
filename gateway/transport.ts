import type { Fetcher, FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request } from 'undici';

/** Options of the subgraph transport. */
export interface TransportOptions {
  /**
   * Keep-alive connections per subgraph origin (default 16). A subgraph process answers one request at a time
   * per core; more requests in flight only queue there, costing both sides memory and garbage collection.
   */
  connections?: number;
  /** Abort a subgraph call after this many milliseconds. */
  timeoutMs?: number;
  /** Runs when a call's headers and body are final, just before it is sent (it may add headers). */
  beforeSend?: (call: { headers: Record<string, string>; body: string }) => void;
  /**
   * PEM certificates of the authorities that sign the subgraphs' TLS certificates (`https://` subgraph URLs), in
   * place of the system's; a subgraph whose certificate they do not vouch for is never sent a request.
   */
  ca?: string;
}

export const DEFAULT_SUBGRAPH_CONNECTIONS = 16;

class Headers implements FetcherHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: Record<string, string | string[] | undefined>) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }
  append(name: string, value: string) {
    const key = name.toLowerCase();
    const existing = this.map.get(key);
    this.map.set(key, existing ? `${existing}, ${value}` : value);
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  get(name: string) {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string) {
    this.map.set(name.toLowerCase(), value);
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}

class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: FetcherHeaders,
    private readonly body: string,
  ) {}
  get ok() {
    return this.status >= 200 && this.status < 300;
  }
  get statusText() {
    return this.ok ? 'OK' : `HTTP ${this.status}`;
  }
  async text() {
    this.bodyUsed = true;
    return this.body;
  }
  async json() {
    this.bodyUsed = true;
    return JSON.parse(this.body);
  }
  async arrayBuffer() {
    this.bodyUsed = true;
    const bytes = Buffer.from(this.body, 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.headers, this.body);
  }
}

/**
 * A fetch-shaped subgraph transport over `undici.request` with a keep-alive pool (no per-request protocol sniffing).
 * @example new RemoteGraphQLDataSource({ url, fetcher: createSubgraphFetcher().fetcher })
 */
export function createSubgraphFetcher(options: TransportOptions = {}): { fetcher: Fetcher; close(): Promise<void> } {
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({
    ...(options.ca ? { connect: { ca: options.ca } } : {}),
    connections: options.connections ?? DEFAULT_SUBGRAPH_CONNECTIONS,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const beforeSend = options.beforeSend;
  const fetcher: Fetcher = async (url, init) => {
    let headers = init?.headers as Record<string, string> | undefined;
    if (beforeSend) {
      headers = { ...headers };
      beforeSend({ headers, body: typeof init?.body === 'string' ? init.body : '' });
    }
    const response = await request(url, {
      method: (init?.method ?? 'GET') as 'GET' | 'POST',
      headers,
      body: init?.body,
      dispatcher: agent,
      signal: init?.signal,
    });
    const body = await response.body.text();
    return new BufferedResponse(url, response.statusCode, new Headers(response.headers), body);
  };
  return { fetcher, close: () => agent.close() };
}
