/** The one place that knows the runtime: serve a fetch handler on Deno or Bun. */

export interface Served {
  port: number;
  close(): Promise<void>;
}

type Fetch = (req: Request) => Response | Promise<Response>;
type BunLike = {
  serve(o: { hostname: string; port: number; fetch: Fetch }): { port: number; stop(force?: boolean): void };
};
type DenoLike = {
  serve(
    o: { hostname: string; port: number; onListen?: () => void },
    fetch: Fetch,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

export function serve(fetch: Fetch, opts: { hostname: string; port: number }): Served {
  const g = globalThis as unknown as { Bun?: BunLike; Deno?: DenoLike };
  if (g.Bun) {
    const s = g.Bun.serve({ ...opts, fetch });
    return { port: s.port, close: () => Promise.resolve(s.stop(true)) };
  }
  if (g.Deno) {
    const s = g.Deno.serve({ ...opts, onListen: () => {} }, fetch);
    return { port: s.addr.port, close: () => s.shutdown() };
  }
  throw new Error("serve: neither Deno nor Bun");
}

export const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
