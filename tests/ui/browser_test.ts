/**
 * The web UI in a real Chromium (`playwright-core` + `@sparticuz/chromium`) against a real
 * server on a free loopback port with a temp conf folder and a token: log in, browse, submit
 * params, watch a run live, re-run and cancel, and an axe-core scan of every page.
 *
 * One browser for the file, waits bounded. Runs under Node 24 only: the Chromium build ships
 * for Node, and one runtime is enough to drive a browser; elsewhere the suite is skipped.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startUiServer, UI_TOKEN, type UiServer } from "./_ui_fixture.ts";

const onNode24 = !("Deno" in globalThis) && !("Bun" in globalThis) &&
  process.versions.node.split(".")[0] === "24";
const skip = onNode24 ? false : "browser tests run once, under Node 24 (npm test runs them there)";

const WAIT_MS = 15_000;

describe("web UI in Chromium", { skip }, () => {
  let server: UiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const axeSource = readFileSync(
    new URL("../../node_modules/axe-core/axe.min.js", import.meta.url),
    "utf8",
  );

  before(async () => {
    server = await startUiServer({ token: UI_TOKEN });
    const { chromium } = await import("playwright-core");
    const sparticuz = (await import("@sparticuz/chromium")).default;
    browser = await chromium.launch({
      executablePath: await sparticuz.executablePath(),
      // One process per browser context: with `--single-process`, closing a context ends
      // the whole browser.
      args: sparticuz.args.filter((arg) => arg !== "--single-process"),
      headless: true,
    });
    context = await browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    page = await context.newPage();
    // Log in once; the 401 test uses a context of its own.
    await page.goto(`${server.url}/ui/workflows`);
    await page.fill("#token", UI_TOKEN);
    await Promise.all([page.waitForURL(/\/ui\/workflows$/), page.click("button[type=submit]")]);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** axe-core's serious and critical violations on the current page, as text. */
  async function axeProblems(target: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    await target.evaluate(axeSource);
    const result = await target.evaluate(async () => {
      const axe = (globalThis as unknown as {
        axe: {
          run(): Promise<
            { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }
          >;
        };
      }).axe;
      return await axe.run();
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }

  async function startRun(workflow: string): Promise<string> {
    await page.goto(`${server.url}/ui/workflows/${workflow}`);
    await Promise.all([
      page.waitForURL(/\/ui\/runs\/[^/]+$/),
      page.click("form.params button[type=submit]"),
    ]);
    return page.url();
  }

  it("shows a 401 page with the login form without a session, and logs in with the token", async () => {
    const fresh = await browser.newContext();
    try {
      const other = await fresh.newPage();
      const response = await other.goto(`${server.url}/ui/runs`);
      assert.equal(response?.status(), 401);
      assert.equal(await other.locator("h1").textContent(), "Log in");
      await other.fill("#token", "not-the-token");
      await other.click("button[type=submit]");
      assert.match(await other.locator("[role=alert]").textContent() ?? "", /the token is wrong/);
      await other.fill("#token", UI_TOKEN);
      await Promise.all([other.waitForURL(/\/ui\/runs$/), other.click("button[type=submit]")]);
      assert.equal(await other.locator("h1").textContent(), "Runs");
      const cookies = await fresh.cookies();
      const session = cookies.find((c) => c.name === "wf_session");
      assert.ok(session, "a session cookie is set");
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, "Strict");
    } finally {
      await fresh.close();
    }
  });

  it("lists the workflows with their schedule and the config's problems with file:line:col", async () => {
    await page.goto(`${server.url}/ui/workflows`);
    const names = await page.locator("tbody th a").allTextContents();
    assert.deepEqual(names, ["etl-daily", "flaky", "long", "quick", "typo"]);
    assert.match(
      await page.locator("tbody tr", { hasText: "etl-daily" }).textContent() ?? "",
      /30 2 \* \* \*/,
    );
    assert.match(
      await page.locator("#problems + ul").textContent() ?? "",
      /typo\.yml:\d+:\d+ .*stagse/,
    );
  });

  it("opens a workflow and shows its job DAG as SVG, laid out left to right", async () => {
    await page.goto(`${server.url}/ui/workflows/etl-daily`);
    const nodes = page.locator("svg g.node");
    assert.deepEqual(
      await nodes.evaluateAll((els) => els.map((e) => e.getAttribute("data-job"))),
      ["extract", "transform", "load", "report"],
    );
    assert.equal(await page.locator("svg path.edge").count(), 3);
    const xs = await nodes.evaluateAll((els) =>
      els.map((e) => Number(e.querySelector("rect")!.getAttribute("x")))
    );
    assert.ok(xs[0] < xs[1] && xs[1] < xs[2] && xs[2] < xs[3], `x grows along the needs: ${xs}`);
    assert.equal(await page.locator("ol.mono").first().locator("li").count(), 10);
  });

  it("shows the engine's error next to a bad param, and keeps the values sent", async () => {
    await page.goto(`${server.url}/ui/workflows/etl-daily`);
    await page.fill("#param-batch-size", "lots");
    await page.selectOption("#param-mode", "full");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/run")),
      page.click("form.params button[type=submit]"),
    ]);
    assert.equal(response.status(), 400);
    const error = page.locator("#param-batch-size-error");
    assert.match(await error.textContent() ?? "", /param 'batch-size' expects int, got "lots"/);
    assert.equal(await page.locator("#param-batch-size").getAttribute("aria-invalid"), "true");
    assert.equal(await page.locator("#param-batch-size").inputValue(), "lots");
    assert.equal(await page.locator("#param-mode").inputValue(), "full");
  });

  it("triggers a run and watches it reach SUCCESS live, without reloading", async () => {
    await startRun("quick");
    await page.evaluate(() => (globalThis as Record<string, unknown>).samePage = true);
    assert.match(await page.locator("#run-status").textContent() ?? "", /RUNNING/);
    await page.locator("#run-status", { hasText: "SUCCESS" }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => (globalThis as Record<string, unknown>).samePage), true);
    assert.match(await page.locator("g.node[data-job=second]").textContent() ?? "", /SUCCESS/);
    assert.equal(await page.locator("svg .bar").count(), 2, "the timeline has one bar per job");
  });

  it("opens a failing run with the failing stage's error first, then re-runs its failed jobs", async () => {
    const first = await startRun("flaky");
    await page.locator("#run-status", { hasText: "FAILED" }).waitFor();
    await page.goto(first);
    const heading = page.locator("main h2").first();
    assert.match(await heading.textContent() ?? "", /Failed at job load, stage Insert rows/);
    assert.match(await page.locator(".alert pre").textContent() ?? "", /table orders is locked/);
    await Promise.all([
      page.waitForURL((url) => url.href !== first && /\/ui\/runs\//.test(url.href)),
      page.click("button:has-text('Re-run failed jobs')"),
    ]);
    await page.locator("#run-status", { hasText: "FAILED" }).waitFor();
    const oldId = first.split("/").pop()!;
    assert.equal(await page.locator("dd a.mono").first().textContent(), oldId);
    assert.match(await page.locator("#job-fetch summary").textContent() ?? "", /SUCCESS/);
  });

  it("cancels a long run from its page", async () => {
    await startRun("long");
    await page.locator("g.node[data-job=nap]", { hasText: "RUNNING" }).waitFor();
    await page.click("button:has-text('Cancel run')");
    await page.locator("#run-status", { hasText: "CANCEL" }).waitFor();
    assert.match(await page.locator("#job-nap summary").textContent() ?? "", /CANCEL/);
  });

  it("has no serious or critical axe-core violation on any page", async () => {
    const runs = await page.evaluate(async () => {
      const r = await fetch("/ui/runs");
      return [...(await r.text()).matchAll(/href="(\/ui\/runs\/[^"?]+)"/g)].map((m) => m[1]);
    });
    const pages = [
      "/ui/workflows",
      "/ui/workflows/etl-daily",
      "/ui/runs",
      "/ui/schedules",
      "/ui/audits",
      ...new Set(runs),
    ];
    const problems: string[] = [];
    for (const path of pages) {
      await page.goto(`${server.url}${path}`);
      for (const p of await axeProblems(page)) problems.push(`${path}: ${p}`);
    }
    const fresh = await browser.newContext();
    try {
      const login = await fresh.newPage();
      await login.goto(`${server.url}/ui/workflows`);
      for (const p of await axeProblems(login)) problems.push(`login: ${p}`);
    } finally {
      await fresh.close();
    }
    assert.deepEqual(problems, []);
  });
});
