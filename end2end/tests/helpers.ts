import { test as base, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/** Fails the test on any WCAG 2.2 A or AA violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(summary, `axe found WCAG violations on ${page.url()}`).toEqual([]);
}

/**
 * The same check for a page loaded with JavaScript disabled, where axe
 * itself cannot run: its exact HTML is replayed at the same URL in a page
 * that may run axe but loads none of the portal's own scripts.
 */
export async function expectAccessibleWithoutJs(page: Page) {
  const html = await page.content();
  const url = page.url();
  const context = await page.context().browser()!.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() });
  try {
    const copy = await context.newPage();
    await copy.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    await copy.route(url, (route) => route.fulfill({ body: html, contentType: "text/html; charset=utf-8" }));
    await copy.goto(url);
    await expectAccessible(copy);
  } finally {
    await context.close();
  }
}

/** Islands hydrate after the WASM loads; each marks itself with data-hydrated once it has. */
export async function waitForHydration(page: Page) {
  await page.locator("leptos-island [data-hydrated=true]").first().waitFor({ timeout: 30_000 });
}

/** Every test collects console errors and page errors, and fails if there are any. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(msg.text());
    });
    page.on("pageerror", (err) => errors.push(err.message));
    await use(errors);
    expect(errors, "console errors").toEqual([]);
  },
});

export { expect };
