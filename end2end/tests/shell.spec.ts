import { test, expect, expectAccessible, expectAccessibleWithoutJs, waitForHydration } from "./helpers";

test("the landing page hydrates and answers the eligibility check as you type", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await expect(page).toHaveTitle("Register for your national ID – Usajili");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expectAccessible(page);
  await waitForHydration(page);

  await page.getByLabel("Day").fill("15");
  await page.getByLabel("Month").fill("6");
  await page.getByLabel("Year").fill("2015");

  // No submit: only the hydrated island can show this.
  await expect(page.getByTestId("eligibility-answer")).toHaveText(
    "A parent or guardian can register this child for a minor's card.",
  );
  expect(page.url()).not.toContain("dob-day");
  await expectAccessible(page);
  expect(consoleErrors).toEqual([]);
});

test("an impossible date shows an error summary that takes focus", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await waitForHydration(page);

  await page.getByLabel("Day").fill("31");
  await page.getByLabel("Month").fill("2");
  await page.getByLabel("Year").fill("2010");
  await page.getByRole("button", { name: "Check" }).click();

  const summary = page.getByTestId("error-summary");
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(summary).toContainText("Enter a real date of birth");
  await expect(page.locator("#dob-error")).toHaveText("Enter a real date of birth, for example 27 3 2007.");
  await expectAccessible(page);
  expect(consoleErrors).toEqual([]);
});

test("a page without an island asks for no JavaScript and no WASM", async ({ page, consoleErrors }) => {
  const code: string[] = [];
  page.on("request", (request) => {
    if (/\.(js|wasm)(\?|$)/.test(new URL(request.url()).pathname)) code.push(request.url());
  });
  await page.goto("/privacy");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Privacy notice");
  await page.waitForLoadState("networkidle");
  expect(code).toEqual([]);
  await expectAccessible(page);
  expect(consoleErrors).toEqual([]);
});

test("the landing page loads its own small bundle, and a returning visit downloads nothing from /pkg", async ({ page, consoleErrors }) => {
  // Resource Timing: what each /pkg file cost to fetch; 0 bytes when it came
  // from the browser's cache without asking the server (not even a 304).
  const pkg = () =>
    page.evaluate(() =>
      (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((e) => new URL(e.name).pathname.startsWith("/pkg/"))
        .map((e) => ({ path: new URL(e.name).pathname, transferred: e.transferSize })),
    );
  await page.goto("/");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
  const first = await pkg();
  const names = first.map((f) => f.path);
  // Its own bundle, named after its content, and the stylesheet.
  expect(names.some((n) => /^\/pkg\/landing\.[0-9a-f]{16}\.wasm$/.test(n)), names.join()).toBe(true);
  expect(names.some((n) => /^\/pkg\/landing\.[0-9a-f]{16}\.js$/.test(n)), names.join()).toBe(true);
  expect(names.some((n) => /^\/pkg\/usajili\.[0-9a-f]{16}\.css$/.test(n)), names.join()).toBe(true);
  for (const f of first) expect(f.transferred, f.path).toBeGreaterThan(0);

  // Back another day: the same names, kept as immutable.
  await page.goto("/privacy");
  await page.goto("/");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
  const again = await pkg();
  expect(again.map((f) => f.path).sort()).toEqual([...names].sort());
  for (const f of again) expect(f.transferred, f.path).toBe(0);
  expect(consoleErrors).toEqual([]);
});

test("switching to Kiswahili and back keeps the page and remembers the choice", async ({ page, consoleErrors }) => {
  await page.goto("/privacy");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Privacy notice");

  await page.getByTestId("language-switch").click();
  await expect(page).toHaveURL(/\/privacy$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "sw");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ilani ya faragha");
  await expectAccessible(page);

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Jisajili kwa kitambulisho chako cha taifa");
  await waitForHydration(page);
  await expectAccessible(page);

  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Register for your national ID");
  expect(consoleErrors).toEqual([]);
});

test("the skip link is the first thing the keyboard reaches and leads to the content", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();
});

test("an unknown page says so, in the chosen language", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expectAccessible(page);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the eligibility check works as a plain form, errors included", async ({ page }) => {
    await page.goto("/");
    await expectAccessibleWithoutJs(page);

    await page.getByLabel("Day").fill("1");
    await page.getByLabel("Month").fill("1");
    await page.getByLabel("Year").fill("1990");
    await page.getByRole("button", { name: "Check" }).click();
    const answer = page.getByTestId("eligibility-answer");
    await expect(answer).toHaveText("You can apply for a national ID card yourself.");
    await expect(answer).toBeFocused();

    await page.getByLabel("Day").fill("30");
    await page.getByLabel("Month").fill("2");
    await page.getByRole("button", { name: "Check" }).click();
    const summary = page.getByTestId("error-summary");
    await expect(summary).toBeFocused();
    await expect(page.getByLabel("Day")).toHaveValue("30");
    await expectAccessibleWithoutJs(page);
  });

  test("the language switch works as a plain link", async ({ page }) => {
    await page.goto("/");
    await page.getByTestId("language-switch").click();
    await expect(page.locator("html")).toHaveAttribute("lang", "sw");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Jisajili kwa kitambulisho chako cha taifa");
    await expectAccessibleWithoutJs(page);
  });
});
