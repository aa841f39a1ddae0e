// Forms as a phone user meets them: a live check never moves a button away
// from a tap in progress; every kind of field (text, date, county list) is
// marked invalid on error; and pages reached only when every task is done,
// or when the registry disagreed, meet WCAG 2.2 AA (target size included).
//
// Needs what scripts/test.sh sets up (a fresh server, its message log).

import { Page } from "@playwright/test";
import { test, expect, expectAccessible, pngImage, signInCitizen, waitForLiveCheck } from "./helpers";

/** Starts an application from the list; returns its id. */
async function startApplication(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Start an application for your ID card", exact: true }).click();
  await expect(page).toHaveURL(/\/applications\/[0-9a-f]+$/);
  await expectAccessible(page);
  return new URL(page.url()).pathname.split("/").at(-1)!;
}

/** A 422 answer is reported by Chromium on the console; these are expected. */
function forgetErrorStatuses(consoleErrors: string[]) {
  for (let at = consoleErrors.findIndex((e) => e.includes("status of 422")); at >= 0; at = consoleErrors.findIndex((e) => e.includes("status of 422"))) {
    consoleErrors.splice(at, 1);
  }
}

test.describe("on a phone, by touch", () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 393, height: 852 } });

  test("one tap on Save and continue after a live check's message reaches the error summary", async ({ page, consoleErrors }) => {
    await signInCitizen(page, "0712 345 811");
    const id = await startApplication(page);

    await page.goto(`/applications/${id}/documents`);
    await waitForLiveCheck(page, "kra-pin");
    await page.locator("#kra-pin").tap();
    await page.locator("#kra-pin").fill("A12");
    await expect(page.locator("#kra-pin-error")).toBeHidden();
    // One tap: it leaves the field (whose check has a message to show) and
    // must still press the button.
    const posted = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/documents"), { timeout: 5_000 });
    await page.getByRole("button", { name: "Save and continue", exact: true }).tap();
    expect((await posted).status()).toBe(422);
    const summary = page.getByTestId("error-summary");
    await expect(summary).toBeFocused();
    await expect(summary.locator('a[href="#kra-pin"]')).toHaveCount(1);
    await expect(page.locator("#kra-pin")).toHaveAttribute("aria-invalid", "true");
    await expectAccessible(page);
    forgetErrorStatuses(consoleErrors);
  });

  test("on error, the date boxes and the county lists are marked invalid like text boxes", async ({ page, consoleErrors }) => {
    await signInCitizen(page, "0712 345 812");
    const id = await startApplication(page);
    await page.goto(`/applications/${id}/about-you`);
    await page.getByRole("button", { name: "Save and continue", exact: true }).tap();
    await expect(page.getByTestId("error-summary")).toBeFocused();
    for (const field of ["surname", "dob-day", "dob-month", "dob-year", "county-of-birth", "county-of-residence"]) {
      const input = page.locator(`#${field}`);
      await expect(input, field).toHaveAttribute("aria-invalid", "true");
      await expect(input, field).toHaveCSS("border-top-color", "rgb(177, 14, 30)");
    }
    await expectAccessible(page);
    forgetErrorStatuses(consoleErrors);
  });
});

test("every task done, then the registry disagrees: both pages meet WCAG 2.2 AA, target size included", async ({ page, consoleErrors }) => {
  test.setTimeout(90_000);
  await signInCitizen(page, "0712 345 813");
  const id = await startApplication(page);
  const save = async (slug: string) => {
    await page.getByRole("button", { name: "Save and continue", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
    await expect(page.locator(`#${slug}-status`)).toHaveText("Completed");
  };

  // Someone the registry does not know by these details.
  await page.goto(`/applications/${id}/about-you`);
  await page.locator("#surname").fill("Wekesa");
  await page.locator("#given-names").fill("Barasa Simiyu");
  await page.locator("#sex-M").check();
  await page.locator("#dob-day").fill("3");
  await page.locator("#dob-month").fill("9");
  await page.locator("#dob-year").fill("1996");
  await page.locator("#county-of-birth").selectOption("039");
  await page.locator("#county-of-residence").selectOption("039");
  await page.locator("#location").fill("Kanduyi");
  await save("about-you");
  await page.goto(`/applications/${id}/birth-certificate`);
  await page.locator("#birth-certificate").fill("8120467");
  await save("birth-certificate");
  await page.goto(`/applications/${id}/documents`);
  await save("documents");
  await page.goto(`/applications/${id}/contact`);
  await page.locator("#phone").fill("0712345813");
  await page.locator("#language").check();
  await save("contact");
  await page.goto(`/applications/${id}/parents`);
  await page.locator("#mother-status-not-known").check();
  await page.locator("#father-status-not-known").check();
  await save("parents");
  await page.goto(`/applications/${id}/photo`);
  await page.locator("#photo").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: pngImage(300, 400) });
  await save("photo");

  // Every task done: "Check your answers" and the link under it.
  await expect(page.getByRole("link", { name: "Check your answers", exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Check your answers", exact: true }).click();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Continue", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/declaration$`));
  await expectAccessible(page);
  await page.locator("#declaration").check();
  await page.getByRole("button", { name: "Send application", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
  await expect(page.getByTestId("state")).toHaveText("Needs your attention");
  await expectAccessible(page);
  forgetErrorStatuses(consoleErrors);
});
