// Staff accounts: an administrator disables an officer who is signed in in
// another browser, and that browser's next click lands on the sign-in
// page; the officer's right password no longer signs in; enabled again,
// it does. axe on every page on the way.
//
// Needs what scripts/test.sh sets up: staff accounts made with `usajili
// staff create` (password in USAJILI_E2E_STAFF_PASSWORD): the officer
// dismissed@ and the administrator accounts@, used by no other journey.

import { Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import { test, expect, expectAccessible } from "./helpers";

function password(): string {
  const value = process.env.USAJILI_E2E_STAFF_PASSWORD;
  if (!value) throw new Error("USAJILI_E2E_STAFF_PASSWORD is not set: run the tests with scripts/test.sh");
  return value;
}

/** RFC 6238 with SHA-1, 6 digits, 30-second steps: what an authenticator app shows. */
function totp(secretBase32: string, at = Date.now() / 1000): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

async function signIn(page: Page, email: string) {
  await page.goto("/staff/sign-in");
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password());
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
