/**
 * The load balancer's routing, on this machine: `/api/*` to the backend, everything else to the frontend's
 * static files (as nginx serves them on the frontend instances). Used by `npm run app`.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export interface RouterOptions {
    readonly port: number;
    readonly host: string;
    /** `http://127.0.0.1:<port>` of the backend. */
    readonly backendUrl: string;
    /** The frontend's files. */
    readonly staticDir: string;
}

export interface Router {
    readonly url: string;
    readonly port: number;
    close(): Promise<void>;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
};

/** The file a URL path names inside `root`, or undefined (outside the root, or not a file). */
export function staticFile(root: string, urlPath: string): string | undefined {
    let decoded: string;
    try {
        decoded = decodeURIComponent(urlPath.split("?")[0]);
    } catch {
        return undefined;
    }
    if (decoded.includes("\0")) return undefined;
    const rel = decoded.endsWith("/") ? `${decoded}index.html` : decoded;
    const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
    if (file !== root && !file.startsWith(root + path.sep)) return undefined;
    try {
        return fs.statSync(file).isFile() ? file : undefined;
    } catch {
        return undefined;
    }
}

export async function startRouter(options: RouterOptions): Promise<Router> {
    const backend = new URL(options.backendUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const root = path.resolve(options.staticDir);

    const server = http.createServer((req, res) => {
        const url = req.url ?? "/";
        if (url === "/api" || url.startsWith("/api/")) {
            const upstream = http.request(
                { host: backend.hostname, port: backend.port, method: req.method, path: url, headers: { ...req.headers, host: backend.host }, agent },
                (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                },
            );
            upstream.on("error", (err) => {
                if (!res.headersSent) {
                    res.writeHead(502, { "content-type": "application/json; charset=utf-8" });
                    res.end(JSON.stringify({ error: { code: "bad_gateway", message: `the backend did not answer: ${err.message}` } }));
                } else res.destroy();
            });
            req.pipe(upstream);
            return;
        }
        if (req.method !== "GET" && req.method !== "HEAD") {
            res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
            res.end("method not allowed\n");
            return;
        }
        const file = staticFile(root, url);
        if (!file) {
            res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
            res.end('<!doctype html><title>Not found</title><p>Not found. <a href="/">Back to the shop</a></p>\n');
            return;
        }
        const body = fs.readFileSync(file);
        res.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream", "content-length": body.length, "cache-control": "no-cache" });
        res.end(req.method === "HEAD" ? undefined : body);
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const shownHost = options.host === "0.0.0.0" ? "127.0.0.1" : options.host;
    return {
        url: `http://${shownHost}:${port}`,
        port,
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeIdleConnections();
                agent.destroy();
            }),
    };
}
