/**
 * The backend's HTTP API (a contract: the load balancer, the frontend and a team's replacement app use these
 * names). Errors are `{"error": {"code", "message"}}`.
 *
 *   GET  /api/health      200 whenever this process can serve, whatever the database does (the ALB health check)
 *   GET  /api/ready       200 while the database answers and the schema is in place; 503 otherwise
 *   GET  /api/products    200 [{id, name, description, price: "12.00", priceCents: 1200, currency, colour}]
 *   POST /api/orders      body {items: [{productId, quantity}]}, header Idempotency-Key → 201 order
 *   GET  /api/orders/:id  200 order, 404
 */
import { createHash } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from "fastify";
import pg from "pg";
import { DatabaseUnavailableError, type Database } from "./database";
import type { Log } from "./log";
import { getOrder, listProducts, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_ITEMS, MAX_QUANTITY, placeOrder, PRODUCT_ID_PATTERN, ShopError, type OrderRequestItem } from "./shop";

/** Request bodies above this get 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
    readonly db: Database;
    /** Whether the schema and seed are in place (the start-up migration may still be retrying). */
    readonly schemaReady: () => boolean;
    /** @default 1000 */
    readonly catalogueTtlMs?: number;
    readonly log: Log;
}

const orderBodySchema = {
    type: "object",
    additionalProperties: false,
    required: ["items"],
    properties: {
        items: {
            type: "array",
            minItems: 1,
            maxItems: MAX_ITEMS,
            items: {
                type: "object",
                additionalProperties: false,
                required: ["productId", "quantity"],
                properties: {
                    productId: { type: "string", pattern: PRODUCT_ID_PATTERN },
                    quantity: { type: "integer", minimum: 1, maximum: MAX_QUANTITY },
                },
            },
        },
    },
} as const;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
    return reply.code(status).type("application/json; charset=utf-8").send({ error: { code, message } });
}

/** The catalogue answer, kept `ttlMs` and served stale (for up to a minute) while the database is away. */
class CatalogueCache {
    private body: Buffer | undefined;
    private etag = "";
    private fetchedAt = 0;
    private pending: Promise<void> | undefined;
    constructor(
        private readonly db: Database,
        private readonly ttlMs: number,
    ) {}

    async get(): Promise<{ body: Buffer; etag: string; stale: boolean }> {
        const age = Date.now() - this.fetchedAt;
        if (this.body !== undefined && age < this.ttlMs) return { body: this.body, etag: this.etag, stale: false };
        try {
            this.pending ??= this.refresh().finally(() => (this.pending = undefined));
            await this.pending;
        } catch (err) {
            if (this.body !== undefined && age < 60_000 && err instanceof DatabaseUnavailableError) return { body: this.body, etag: this.etag, stale: true };
            throw err;
        }
        return { body: this.body!, etag: this.etag, stale: false };
    }

    private async refresh(): Promise<void> {
        // Kept as bytes: sending a Buffer skips re-encoding the string on every request.
        const body = Buffer.from(JSON.stringify(await listProducts(this.db)));
        this.body = body;
        this.etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
        this.fetchedAt = Date.now();
    }
}

export function buildApp(options: AppOptions): FastifyInstance {
    const { db, schemaReady } = options;
    const app = Fastify({
        logger: false,
        bodyLimit: BODY_LIMIT_BYTES,
        // Strict: no type coercion ("2" is not a quantity), unknown keys are errors, not silently dropped.
        ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
        return503OnClosing: true,
        forceCloseConnections: "idle",
    });
    // JSON only: fastify also parses text/plain by default, which would turn a wrong content type into a
    // confusing schema error instead of 415.
    app.removeContentTypeParser("text/plain");
    const catalogue = new CatalogueCache(db, options.catalogueTtlMs ?? 1000);

    // While closing, every answer says `Connection: close`, so keep-alive connections that were busy when
    // SIGTERM came close after their last response instead of holding the drain open.
    let closing = false;
    app.addHook("preClose", async () => {
        closing = true;
    });
    app.addHook("onSend", (_request, reply, payload, done) => {
        if (closing) reply.header("connection", "close");
        done(null, payload);
    });

    app.setErrorHandler((err: FastifyError, request, reply) => {
        if (err instanceof ShopError) return sendError(reply, err.statusCode, err.code, err.message);
        if (err instanceof DatabaseUnavailableError) {
            reply.header("retry-after", "1");
            return sendError(reply, 503, err.code, err.message);
        }
        if (err instanceof pg.DatabaseError && err.code === "57014") {
            reply.header("retry-after", "1");
            return sendError(reply, 503, "database_timeout", "the database did not answer in time; retry shortly");
        }
        if (err.validation) return sendError(reply, 400, "invalid_request", `${err.validationContext ?? "request"}${err.message.replace(/^(body|params|querystring|headers)/, "")}`);
        if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
            const code = err.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? "body_too_large" : err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? "unsupported_media_type" : "bad_request";
            const message = code === "body_too_large" ? `the request body is larger than ${BODY_LIMIT_BYTES} bytes` : err.message;
            return sendError(reply, err.statusCode, code, message);
        }
        options.log.error({ err: err.message, stack: err.stack, method: request.method, url: request.url }, "request failed");
        return sendError(reply, 500, "internal_error", "internal error");
    });
    app.setNotFoundHandler((request, reply) => sendError(reply, 404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`));

    app.get("/api/health", async () => ({ status: "ok" }));

    app.get("/api/ready", async (_request, reply) => {
        if (!schemaReady()) return sendError(reply.header("retry-after", "1"), 503, "not_ready", `the schema is not in place yet (${db.status.reason ?? "migrating"})`);
        if (!(await db.ping(1000))) return sendError(reply.header("retry-after", "1"), 503, "not_ready", `the database does not answer (${db.status.reason ?? "ping timed out"})`);
        return { status: "ready" };
    });

    const requireSchema = () => {
        if (!schemaReady()) throw new DatabaseUnavailableError("the schema is not in place yet");
    };

    app.get("/api/products", async (request, reply) => {
        requireSchema();
        const { body, etag, stale } = await catalogue.get();
        reply.header("etag", etag).header("cache-control", "no-cache");
        if (stale) reply.header("warning", '110 - "stale: the database is unavailable"');
        if (request.headers["if-none-match"] === etag) return reply.code(304).send();
        return reply.type("application/json; charset=utf-8").send(body);
    });

    app.post<{ Body: { items: OrderRequestItem[] } }>("/api/orders", { schema: { body: orderBodySchema } }, async (request, reply) => {
        const key = request.headers["idempotency-key"];
        if (typeof key !== "string" || key.length === 0) {
            return sendError(reply, 400, "idempotency_key_required", "send an Idempotency-Key header (e.g. a UUID) so a retried order is not placed twice");
        }
        if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key)) {
            return sendError(reply, 400, "invalid_idempotency_key", `the Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`);
        }
        requireSchema();
        const { order, replayed } = await placeOrder(db, key, request.body.items);
        if (replayed) reply.header("idempotent-replayed", "true");
        return reply.code(201).header("location", `/api/orders/${order.id}`).send(order);
    });

    app.get<{ Params: { id: string } }>("/api/orders/:id", async (request, reply) => {
        requireSchema();
        const order = await getOrder(db, request.params.id);
        if (!order) return sendError(reply, 404, "order_not_found", `no order with id ${request.params.id}`);
        return order;
    });

    return app;
}
