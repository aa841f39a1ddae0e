// What every visitor's browser asks of the site besides pages: the icon and
// the web app manifest; and the landing page's way in (GOV.UK's start page:
// what you need, then a start button), in English and in Kiswahili.

import { test, expect, expectAccessible } from "./helpers";

test("the landing page lists what you need, then a Start now button that leads to sign-in", async ({ page }) => {
  await page.goto("/");
  const start = page.getByRole("button", { name: "Start now" }).or(page.getByRole("link", { name: "Start now" }));
  await expect(start).toHaveCount(1);
  await expect(start).toHaveAttribute("href", "/sign-in");
  // What you need comes before the button.
  const need = page.getByRole("heading", { name: "Before you start" });
  await expect(need).toBeVisible();
  const order = await page.evaluate(() => {
    const heading = [...document.querySelectorAll("h2")].find((h) => h.textContent === "Before you start")!;
    const button = document.querySelector('[data-testid="start-now"]')!;
    return heading.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING;
  });
  expect(order).toBeTruthy();
  await expectAccessible(page);
  await start.click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByTestId("language-switch").click();
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "sw");
  await expect(page.getByTestId("start-now")).toHaveText("Anza sasa");
  await expect(page.getByRole("heading", { name: "Kabla ya kuanza" })).toBeVisible();
  await expectAccessible(page);
});

test("the icon is served at /favicon.ico, and a web app manifest is linked from every page", async ({ page, request }) => {
  const icon = await request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/image\//);

  await page.goto("/");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBeTruthy();
  const response = await request.get(href!);
  expect(response.status()).toBe(200);
  const manifest = await response.json();
  expect(manifest.name).toBeTruthy();
  expect(manifest.short_name).toBeTruthy();
  expect(manifest.start_url).toBe("/");
  expect(manifest.display).toBe("standalone");
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.icons.length).toBeGreaterThan(0);
  for (const icon of manifest.icons) {
    const got = await request.get(icon.src);
    expect(got.status(), icon.src).toBe(200);
  }
  await expect(page.locator('meta[name="theme-color"]')).toHaveCount(1);
});
