/**
 * The built-in web view's HTTP server: serves the static page in web/ (index.html, view.js,
 * cdr.js — hand-written browser ES modules, nothing to build) and `/config.json`, which tells
 * the page which bridge to connect to. The page then speaks the Foxglove protocol to the bridge
 * directly, decoding CDR with the schemas the bridge advertises. Loopback by default.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const DEFAULT_VIEW_PORT = 8766;

export interface ViewServerOptions {
  /** The bridge the page connects to (`ws://127.0.0.1:8765`). */
  bridgeUrl: string;
  /** TCP port; 0 picks a free one (default 8766). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  address?: string;
  /** Folder holding index.html (default: the package's web/). */
  webRoot?: string;
}

const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/view.js": { file: "view.js", type: "text/javascript; charset=utf-8" },
  "/cdr.js": { file: "cdr.js", type: "text/javascript; charset=utf-8" },
};

/** The package's web/ folder, found upwards from this file (works from the sources and from dist/). */
export function findWebRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "web", "index.html"))) return join(dir, "web");
    if (dirname(dir) === dir) throw new Error(`view: cannot find web/index.html above ${from}`);
  }
}

export class ViewServer {
  /** `http://address:port/`. */
  readonly url: string;
  readonly port: number;

  private constructor(
    private readonly server: Server,
    readonly bridgeUrl: string,
  ) {
    const info = server.address() as AddressInfo;
    this.port = info.port;
    this.url = `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}/`;
  }

  static async start(options: ViewServerOptions): Promise<ViewServer> {
    const root = options.webRoot ?? findWebRoot();
    const address = options.address ?? "127.0.0.1";
    const port = options.port ?? DEFAULT_VIEW_PORT;
    const server = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0]!;
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      if (path === "/config.json") {
        response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ bridgeUrl: options.bridgeUrl }));
        return;
      }
      const entry = FILES[path];
      if (!entry) {
        response.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}\n`);
        return;
      }
      try {
        const body = readFileSync(join(root, entry.file));
        response.writeHead(200, { "content-type": entry.type, "cache-control": "no-store" }).end(request.method === "HEAD" ? undefined : body);
      } catch (error) {
        response.writeHead(500, { "content-type": "text/plain" }).end(`cannot read ${entry.file}: ${String(error)}\n`);
      }
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new Error(
            error.code === "EADDRINUSE"
              ? `view: ${address}:${port} is already in use (choose another port; 0 picks a free one)`
              : `view: cannot listen on ${address}:${port}: ${error.message}`,
          ),
        ),
      );
      server.listen(port, address, () => resolve());
    });
    return new ViewServer(server, options.bridgeUrl);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
