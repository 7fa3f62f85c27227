/**
 * `npm run app` as a developer types it: the printed URL serves the storefront with the load balancer's
 * routing; headless Chromium buys two products and sees the confirmation, and the order is in the database;
 * Ctrl-C (SIGINT to the process group) and SIGTERM both stop everything, PostgreSQL included.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { http, spawnProcess, sql, type SpawnedProcess } from "./harness";
import { requireTool } from "./require-tool";

const chromium = requireTool("chromium", { candidates: ["/usr/bin/chromium"], executables: ["chromium", "chromium-browser"] });

interface RunningApp {
    proc: SpawnedProcess;
    url: string;
    databaseUrl: string;
    pgPid: number;
    dataDir: string;
}

async function startApp(): Promise<RunningApp> {
    // detached: its own process group, so the test can send SIGINT to the group as a terminal's Ctrl-C does.
    const proc = spawnProcess("npm", ["run", "-s", "app"], { PORT: "0", DATABASE_URL: undefined }, { detached: true });
    const [, url] = await proc.waitFor(/storefront: open (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    const [, pid, dataDir] = proc.output().match(/embedded PostgreSQL pid (\d+), data (\S+)/) ?? [];
    const [, databaseUrl] = proc.output().match(/DATABASE_URL=(\S+)/) ?? [];
    return { proc, url, databaseUrl, pgPid: Number(pid), dataDir };
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function assertStoppedClean(app: RunningApp, signalledAt: number): Promise<void> {
    const exit = await app.proc.exited;
    assert.equal(exit.code, 0, app.proc.output());
    assert.ok(exit.at - signalledAt < 15_000, `stopped in ${exit.at - signalledAt} ms`);
    assert.match(app.proc.output(), /storefront: stopped/);
    assert.equal(alive(app.pgPid), false, `postgres ${app.pgPid} is still running`);
    assert.equal(fs.existsSync(app.dataDir), false, `${app.dataDir} is left behind`);
    await assert.rejects(fetch(app.url, { signal: AbortSignal.timeout(2000) }));
}

// Both runs start at once (each takes seconds to come up); the second is the one stopped with SIGTERM.
const starting = [startApp(), startApp()] as const;
after(async () => {
    for (const a of await Promise.allSettled(starting)) {
        if (a.status === "fulfilled" && a.value.proc.child.exitCode === null) process.kill(-a.value.proc.child.pid!, "SIGKILL");
    }
});

describe("npm run app", () => {
    let app: RunningApp;
    before(async () => {
        app = await starting[0];
    });

    test("prints its URL; /api/* goes to the backend, everything else to the frontend's files", async () => {
        assert.ok(app.pgPid > 0 && app.dataDir && app.databaseUrl, app.proc.output());
        const page = await http(`${app.url}/`);
        assert.equal(page.status, 200);
        assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
        assert.match(page.body, /<body data-page="grid">/);
        assert.match((await http(`${app.url}/style.css`)).headers.get("content-type") ?? "", /^text\/css/);
        assert.match((await http(`${app.url}/app.js`)).headers.get("content-type") ?? "", /^text\/javascript/);
        assert.deepEqual((await http(`${app.url}/api/health`)).body, { status: "ok" });
        const products = await http(`${app.url}/api/products`);
        assert.equal(products.body.length, 6);
        assert.equal((await http(`${app.url}/api/nope`)).body.error.code, "not_found");
        assert.equal((await http(`${app.url}/nope.html`)).status, 404);
        assert.equal((await http(`${app.url}/../package.json`)).status, 404);
    });

    test("headless Chromium: add two products, check out, see the confirmation; the order is in the database", { skip: chromium.skip, timeout: 60_000 }, async (t) => {
        const { chromium: browserType } = await import("playwright-core");
        const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ecomm-chromium-"));
        const context = await browserType.launchPersistentContext(profile, {
            executablePath: chromium.path(),
            headless: true,
            args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        try {
            const page = context.pages()[0] ?? (await context.newPage());
            const errors: string[] = [];
            page.on("pageerror", (e) => errors.push(e.message));
            await page.goto(app.url);
            await page.locator('li.card[data-product="espresso-cup"] button').click();
            await page.locator('li.card[data-product="burr-grinder"] button').click();
            await page.locator('li.card[data-product="burr-grinder"] button').click();
            assert.equal(await page.locator("#cart-count").textContent(), "3");

            await page.click("a.cart-link");
            await page.waitForSelector('#lines tbody tr[data-product="burr-grinder"]');
            assert.equal(await page.locator("#lines tbody tr").count(), 2);
            assert.equal(await page.locator("#total").textContent(), "$270.00");
            await page.click("#checkout");
            await page.waitForURL(/\/order\.html\?id=/);
            await page.waitForSelector("#confirmation:not([hidden])");
            assert.match((await page.locator("h1").textContent()) ?? "", /Thank you! Your order is confirmed\./);
            assert.equal(await page.locator("#order-total").textContent(), "$270.00");
            assert.equal(await page.locator("#cart-count").textContent(), "0");
            const orderId = (await page.locator("#order-id").textContent()) ?? "";
            if (process.env.ECOMM_SCREENSHOT) await page.screenshot({ path: process.env.ECOMM_SCREENSHOT, fullPage: true });

            const rows = await sql(app.databaseUrl, "SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY product_id", [orderId]);
            assert.deepEqual(rows, [
                { product_id: "burr-grinder", quantity: 2, unit_price_cents: 12900 },
                { product_id: "espresso-cup", quantity: 1, unit_price_cents: 1200 },
            ]);
            assert.deepEqual(errors, []);
            t.diagnostic(`browser order ${orderId}`);
        } finally {
            await context.close();
            fs.rmSync(profile, { recursive: true, force: true });
        }
    });

    test("Ctrl-C (SIGINT to the process group) stops the backend and PostgreSQL, removes the data, exits 0", async () => {
        const at = Date.now();
        process.kill(-app.proc.child.pid!, "SIGINT");
        await assertStoppedClean(app, at);
    });
});

test("npm run app: SIGTERM to npm alone also leaves nothing running", async () => {
    const app = await starting[1];
    assert.equal((await http(`${app.url}/api/ready`)).status, 200);
    const at = Date.now();
    app.proc.child.kill("SIGTERM");
    await assertStoppedClean(app, at);
});
