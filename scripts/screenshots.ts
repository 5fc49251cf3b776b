/**
 * Writes a PNG of each web UI page into `docs/ui/`: a real server over the UI test config
 * (tests/ui/_ui_fixture.ts) with a token, a few runs and releases, and Chromium from
 * `@sparticuz/chromium` driven by `playwright-core`.
 *
 * Run: `node --import tsx scripts/screenshots.ts` (Node 24: `node_modules/.bin/node`).
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import sparticuz from "@sparticuz/chromium";
import { startUiServer, UI_TOKEN } from "../tests/ui/_ui_fixture.ts";

const out = new URL("../docs/ui/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const server = await startUiServer({ token: UI_TOKEN });
const browser = await chromium.launch({
  executablePath: await sparticuz.executablePath(),
  args: sparticuz.args.filter((arg) => arg !== "--single-process"),
  headless: true,
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const shot = async (name: string) => {
    await page.screenshot({ path: `${out}${name}.png`, fullPage: true });
    console.log(`docs/ui/${name}.png`);
  };
  const api = (path: string, body: unknown) =>
    fetch(`${server.url}/api/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${UI_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ run_id: string }>);
  const waitEnded = (status: string) => page.locator("#run-status", { hasText: status }).waitFor();

  await page.goto(`${server.url}/ui/workflows`);
  await shot("login");
  await page.fill("#token", UI_TOKEN);
  await Promise.all([page.waitForURL(/\/ui\/workflows$/), page.click("button[type=submit]")]);

  // A few runs and releases, so the lists have something to show.
  await api("/workflows/quick/execute", {});
  await api("/workflows/flaky/execute", {});
  for (const date of ["2024-01-29T02:30:00Z", "2024-01-30T02:30:00Z", "2024-01-31T02:30:00Z"]) {
    await api("/workflows/etl-daily/release", { date, params: { mode: "incremental" } });
  }
  const { run_id: etl } = await api("/workflows/etl-daily/execute", { params: { mode: "full" } });

  await page.goto(`${server.url}/ui/workflows`);
  await shot("workflows");
  await page.goto(`${server.url}/ui/workflows/etl-daily`);
  await shot("workflow");
  await page.fill("#param-batch-size", "lots");
  await Promise.all([page.waitForURL(/\/run$/), page.click("form.params button[type=submit]")]);
  await shot("workflow-param-error");

  await page.goto(`${server.url}/ui/runs/${etl}`);
  await waitEnded("SUCCESS");
  await shot("run");
  const { run_id: failed } = await api("/workflows/flaky/execute", {});
  await page.goto(`${server.url}/ui/runs/${failed}`);
  await waitEnded("FAILED");
  await shot("run-failed");
  const { run_id: long } = await api("/workflows/long/execute", { async: true });
  await page.goto(`${server.url}/ui/runs/${long}`);
  await page.locator("g.node[data-job=nap]", { hasText: "RUNNING" }).waitFor();
  await shot("run-live");
  await page.click("button:has-text('Cancel run')");
  await waitEnded("CANCEL");

  await page.goto(`${server.url}/ui/runs`);
  await shot("runs");
  await page.goto(`${server.url}/ui/schedules`);
  await shot("schedules");
  await page.goto(`${server.url}/ui/audits`);
  await shot("audits");
} finally {
  await browser.close();
  await server.close();
}
