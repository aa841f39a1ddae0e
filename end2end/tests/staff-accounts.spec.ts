// Staff accounts: an administrator disables an officer who is signed in in
// another browser, and that browser's next click lands on the sign-in
// page; the officer's right password no longer signs in; enabled again,
// it does. axe on every page on the way.
//
// Needs what scripts/test.sh sets up: staff accounts made with `usajili
// staff create` (password in USAJILI_E2E_STAFF_PASSWORD): the officer
// dismissed@ and the administrator accounts@, used by no other journey.

import { Page } from "@playwright/test";
import { test, expect, expectAccessible, staffPassword, totp } from "./helpers";

async function signIn(page: Page, email: string) {
  await page.goto("/staff/sign-in");
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(staffPassword());
  await page.getByRole("button", { name: "Continue", exact: true }).click();
}

const OFFICER = "dismissed@e2e.usajili.go.ke";

test("an administrator disables a signed-in officer, whose next click lands on sign-in", async ({ page, browser }) => {
  // The officer, signed in in a browser of their own.
  const officerContext = await browser.newContext();
  const officer = await officerContext.newPage();
  await signIn(officer, OFFICER);
  await expect(officer).toHaveURL(/\/staff$/);

  // The administrator enrols an authenticator and opens the accounts.
  await signIn(page, "accounts@e2e.usajili.go.ke");
  await expect(page).toHaveURL(/\/staff\/enrol$/);
  const secret = (await page.getByTestId("totp-secret").getAttribute("data-secret"))!;
  await page.locator("#code").fill(totp(secret));
  await page.getByRole("button", { name: "Confirm and sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await page.getByRole("link", { name: "Staff accounts", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/accounts$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Staff accounts");
  const row = page.locator(`[data-testid="account-line"][data-email="${OFFICER}"]`);
  await expect(row.getByTestId("account-state")).toContainText("Active");
  await expect(row.getByTestId("account-last-sign-in")).not.toHaveText("Never");
  await expectAccessible(page);

  await row.locator("summary").click();
  await row.getByTestId("account-disable").click();
  await expect(page.getByTestId("accounts-done")).toContainText("disabled");
  await expect(row.getByTestId("account-state")).toContainText("Disabled");
  await expectAccessible(page);

  // The officer's very next click: the sign-in page.
  await officer.getByRole("link", { name: "Dashboard" }).click();
  await expect(officer).toHaveURL(/\/staff\/sign-in$/);
  await expect(officer.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(officer);
  // And the right password no longer signs in.
  await signIn(officer, OFFICER);
  await expect(officer).toHaveURL(/\/staff\/sign-in$/);
  await expect(officer.locator(".error-summary")).toBeVisible();

  // Enabled again, the officer signs in.
  await row.locator("summary").click();
  await row.getByTestId("account-enable").click();
  await expect(page.getByTestId("accounts-done")).toContainText("enabled");
  await signIn(officer, OFFICER);
  await expect(officer).toHaveURL(/\/staff$/);
  await officerContext.close();
});
