// The staff console: an officer signs in, opens today's list, checks an
// applicant in by reference (after a typo the check character catches),
// records documents and biometrics, and sees the counts move; a supervisor
// without JavaScript, in Kiswahili, enrols an authenticator app and reads
// the centre's audit trail; another supervisor closes an afternoon and
// sees its bookings moved.
//
// Needs what scripts/test.sh sets up: staff accounts made with `usajili
// staff create` (password in USAJILI_E2E_STAFF_PASSWORD) and applicants
// booked at GPO today by `usajili demo queue` (USAJILI_E2E_QUEUE).

import { Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { test, expect, expectAccessible, expectAccessibleWithoutJs, queue, Queued, signInStaff, staffPassword, totp } from "./helpers";

interface Booked extends Queued {
  day: string;
}

/** Applicants booked at GPO on an afternoon a few days ahead (USAJILI_E2E_AFTERNOON). */
function afternoon(): Booked[] {
  const file = process.env.USAJILI_E2E_AFTERNOON;
  if (!file) throw new Error("USAJILI_E2E_AFTERNOON is not set: run the tests with scripts/test.sh");
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter((line) => line.split("\t").length === 4)
    .map((line) => {
      const [day, time, reference, name] = line.split("\t");
      return { day, time, reference, name };
    });
}

const signIn = signInStaff;

test("an officer checks an applicant in by reference and records biometrics", async ({ page }) => {
  const [first] = queue();
  await signIn(page, "officer@e2e.usajili.go.ke", "Continue");
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Appointments");
  const row = page.getByTestId("visit").filter({ hasText: first.name });
  await expect(row).toContainText(first.reference);
  await expect(row).toContainText("Booked");
  const expected = Number(await page.getByTestId("count-expected").textContent());
  expect(expected).toBeGreaterThanOrEqual(queue().length);
  await expectAccessible(page);

  // The list narrows to a search without a reload once the WASM is in.
  await expect(page.locator("#day-filter")).toHaveAttribute("data-in-place", "on", { timeout: 30_000 });
  await page.locator("#q").fill(first.name.split(" ")[0]);
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.getByTestId("visit")).toHaveCount(1);
  await expect(page).toHaveURL(/q=/);

  // A typo: the last character is the check character.
  const last = first.reference.slice(-1);
  const typo = first.reference.slice(0, -1) + (last === "A" ? "B" : "A");
  await page.locator("#reference").fill(typo);
  await page.getByRole("button", { name: "Check in", exact: true }).click();
  await expect(page.locator(".error-summary")).toBeFocused();
  await expect(page.locator("#reference-error")).toBeVisible();
  await expectAccessible(page);

  await page.locator("#reference").fill(first.reference.toLowerCase());
  await page.getByRole("button", { name: "Check in", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/bookings\/[0-9a-f]+\?recorded=check-in$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(first.name);
  await expect(page.getByTestId("record-status")).toHaveText("Checked in");
  await expect(page.getByTestId("record-photo")).toBeVisible();
  await expect(page.getByTestId("step-biometrics-captured")).toHaveCount(0);
  await expectAccessible(page);

  await page.getByTestId("step-documents-verified").click();
  await expect(page.getByTestId("record-status")).toHaveText("Documents verified");
  await page.getByTestId("step-biometrics-captured").click();
  await expect(page.getByTestId("recorded")).toContainText("Biometrics captured");
  await expect(page.getByTestId("record-status")).toHaveText("Biometrics captured");

  await page.locator("#note").fill("Fingerprints needed a second try");
  await page.getByRole("button", { name: "Add the note", exact: true }).click();
  await expect(page.locator(".notes")).toContainText("Fingerprints needed a second try");

  await page.getByRole("link", { name: "Back to the day's list" }).click();
  await expect(page.getByTestId("count-done")).not.toHaveText("0");
  await expect(page.getByTestId("visit").filter({ hasText: first.name })).toContainText("Biometrics captured");
});

test("a supervisor closes an afternoon, checks who moves, and sees the bookings moved", async ({ page }) => {
  const booked = afternoon();
  expect(booked.length).toBe(3);
  const [year, month, day] = booked[0].day.split("-").map(Number);
  await signIn(page, "capacity@e2e.usajili.go.ke", "Continue");
  await expect(page).toHaveURL(/\/staff\/enrol$/);
  // The citizens' "Sign in" has no place on the console, its set-up included.
  await expect(page.getByTestId("sign-in-link")).toHaveCount(0);
  await expectAccessible(page);
  const secret = (await page.getByTestId("totp-secret").getAttribute("data-secret"))!;
  await page.locator("#code").fill(totp(secret));
  await page.getByRole("button", { name: "Confirm and sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);

  // The afternoon's people are on that day's list.
  await page.goto(`/staff?day=${booked[0].day}`);
  for (const person of booked) await expect(page.getByTestId("visit").filter({ hasText: person.name })).toHaveCount(1);

  await page.getByRole("link", { name: "Capacity and closures" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Capacity and closures");
  await expectAccessible(page);

  // A mistake first: the summary takes focus and names the field.
  await page.locator("#closure-day").fill(String(day));
  await page.locator("#closure-month").fill(String(month));
  await page.locator("#closure-year").fill(String(year));
  await page.locator("#span-part").check();
  await page.locator("#from").fill("13:00");
  await page.locator("#to").fill("1700");
  await page.getByRole("button", { name: "Preview the closure", exact: true }).click();
  await expect(page.locator(".error-summary")).toBeFocused();
  await expect(page.locator(".error-summary")).toContainText("Enter the reason for the closure");
  await expect(page.locator("#from")).toHaveValue("13:00");

  await page.locator("#reason").fill("Generator service");
  await page.getByRole("button", { name: "Preview the closure", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check the change before it is made");
  await expect(page.getByTestId("preview-closure")).toContainText("13:00–17:00");
  // Ours, and any other journey's booking at GPO that afternoon.
  for (const person of booked) {
    await expect(page.locator(`[data-testid="move"][data-reference="${person.reference}"]`)).toHaveAttribute("data-placed", "true");
  }
  expect(await page.getByTestId("move").count()).toBeGreaterThanOrEqual(3);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Confirm and tell the applicants", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/capacity/);
  await expect(page.getByTestId("capacity-outcome")).toContainText("The closure is in force.");
  const moved = Number(await page.getByTestId("move-counts").getAttribute("data-moved"));
  expect(moved).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId("closure").filter({ hasText: "Generator service" })).toContainText("13:00–17:00");
  const movedTo = (await page.locator(`[data-testid="move"][data-reference="${booked[0].reference}"]`).getAttribute("data-to"))!;
  expect(movedTo > booked[0].day).toBe(true);

  // Gone from the closed afternoon, there on the day they moved to.
  await page.goto(`/staff?day=${booked[0].day}`);
  for (const person of booked) await expect(page.getByTestId("visit").filter({ hasText: person.name })).toHaveCount(0);
  await page.goto(`/staff?day=${movedTo}`);
  for (const person of booked) await expect(page.getByTestId("visit").filter({ hasText: person.name })).toHaveCount(1);

  // A closure nobody is booked on: a plain confirmation, nobody to tell.
  const quiet = new Date(Date.UTC(year, month - 1, day + 11));
  await page.goto("/staff/capacity");
  await page.locator("#closure-day").fill(String(quiet.getUTCDate()));
  await page.locator("#closure-month").fill(String(quiet.getUTCMonth() + 1));
  await page.locator("#closure-year").fill(String(quiet.getUTCFullYear()));
  await page.locator("#span").check();
  await page.locator("#reason").fill("Staff training");
  await page.getByRole("button", { name: "Preview the closure", exact: true }).click();
  await expect(page.getByTestId("preview-none")).toBeVisible();
  await expect(page.getByRole("button", { name: "Confirm and tell the applicants", exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Confirm the change", exact: true }).click();
  await expect(page.getByTestId("closure").filter({ hasText: "Staff training" })).toHaveCount(1);
  await page.getByTestId("closure").filter({ hasText: "Staff training" }).getByRole("button").click();
  await expect(page.getByTestId("closure").filter({ hasText: "Staff training" })).toHaveCount(0);

  // An administrator's page: refused with a page of the console, and a way back.
  const refused = await page.goto("/staff/outbox");
  expect(refused!.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You cannot open this page");
  await expect(page.locator("main")).toContainText("Only an administrator can do this.");
  await expect(page.getByTestId("staff-email")).toHaveText("capacity@e2e.usajili.go.ke");
  await expect(page.getByTestId("sign-in-link")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to the day's list", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
});

test("an officer on a 393 px phone: the day's list fits, no citizen sign-in, and a supervisor's page is refused with a page", async ({ page }) => {
  await page.setViewportSize({ width: 393, height: 852 });
  await signIn(page, "officer@e2e.usajili.go.ke", "Continue");
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByTestId("visit").first()).toBeVisible();
  await expect(page.getByTestId("sign-in-link")).toHaveCount(0);
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    table: document.querySelector("table")!.getBoundingClientRect().right,
  }));
  expect(widths.table).toBeLessThanOrEqual(393);
  expect(widths.page).toBeLessThanOrEqual(393);
  await expectAccessible(page);

  const refused = await page.goto("/staff/capacity");
  expect(refused!.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You cannot open this page");
  await expect(page.locator("main")).toContainText("Only a centre supervisor can do this.");
  await expect(page.getByTestId("staff-email")).toHaveText("officer@e2e.usajili.go.ke");
  await expect(page.getByTestId("sign-in-link")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back to the day's list", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
});

test("an administrator reads the outbox: states and errors, never a number or a text", async ({ page }) => {
  // A citizen asks for a sign-in code, so there is at least one message.
  await page.goto("/sign-in");
  await page.locator("#contact").fill("0712 999 431");
  await page.getByRole("button", { name: "Send code", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/code$/);

  await signIn(page, "admin@e2e.usajili.go.ke", "Continue");
  await expect(page).toHaveURL(/\/staff\/enrol$/);
  const secret = (await page.getByTestId("totp-secret").getAttribute("data-secret"))!;
  await page.locator("#code").fill(totp(secret));
  await page.getByRole("button", { name: "Confirm and sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);

  await page.getByRole("link", { name: "Messages", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Messages to citizens");
  await expect(page.getByTestId("outbox-line").filter({ hasText: "sign_in_code" }).first()).toBeVisible();
  await expect(page.getByTestId("outbox-counts")).toBeVisible();
  const body = (await page.locator("main").textContent())!;
  expect(body).not.toMatch(/\+2547\d{8}/);
  expect(body).not.toContain("999431");
  expect(body).not.toContain("Usajili HN-");
  await expectAccessible(page);

  await page.locator("#state").selectOption("sent");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/state=sent/);
  const states = await page.getByTestId("outbox-line").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")));
  expect(states.length).toBeGreaterThan(0);
  expect(new Set(states)).toEqual(new Set(["sent"]));
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a supervisor enrols an authenticator app in Kiswahili and reads the audit trail", async ({ page }) => {
    await page.goto("/staff/sign-in");
    await page.getByTestId("language-switch").click();
    await expect(page.locator("html")).toHaveAttribute("lang", "sw");
    await signIn(page, "supervisor@e2e.usajili.go.ke", "Endelea");
    await expect(page).toHaveURL(/\/staff\/enrol$/);
    await expect(page.getByTestId("totp-qr").locator("svg")).toBeVisible();
    await expect(page.getByTestId("sign-in-link")).toHaveCount(0);
    await expectAccessibleWithoutJs(page);
    const secret = (await page.getByTestId("totp-secret").getAttribute("data-secret"))!;

    await page.locator("#code").fill("123456" === totp(secret) ? "654321" : "123456");
    await page.getByRole("button", { name: "Thibitisha na uingie", exact: true }).click();
    await expect(page.locator(".error-summary")).toContainText("Msimbo huo si sahihi");

    await page.locator("#code").fill(totp(secret));
    await page.getByRole("button", { name: "Thibitisha na uingie", exact: true }).click();
    await expect(page).toHaveURL(/\/staff$/);
    await expect(page.getByTestId("staff-centre")).toBeVisible();

    await page.getByRole("link", { name: "Kumbukumbu za ukaguzi" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Kumbukumbu za ukaguzi");
    await expect(page.getByTestId("audit-entry").first()).toBeVisible();
    await expect(page.locator("body")).toContainText("staff.sign_in");
    await expectAccessibleWithoutJs(page);

    await page.getByRole("link", { name: "Dashibodi" }).click();
    await expect(page.getByTestId("load-row")).toHaveCount(14);
    await expect(page.getByTestId("load-chart")).toBeVisible();
    await expectAccessibleWithoutJs(page);

    await page.getByRole("link", { name: "Kadi tayari" }).click();
    await page.getByRole("button", { name: "Weka alama tayari", exact: true }).click();
    await expect(page.locator(".error-summary")).toContainText("Bandika angalau kumbukumbu moja");
    await expectAccessibleWithoutJs(page);
  });
});
