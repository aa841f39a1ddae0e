// Parents register children: a mother with JavaScript adds two children
// (7 and 16), is refused a third who is under 6, and withdraws consent for
// one; a father without JavaScript, in Kiswahili, registers his daughter.
// Then the server's log is searched for everything these journeys typed.
//
// Needs what scripts/test.sh sets up: the families written by
// end2end/fixtures/families.sh (ages counted from today) imported into the
// registry replica of a fresh server.

import { Page } from "@playwright/test";
import {
  test,
  expect,
  expectAccessible,
  expectAccessibleWithoutJs,
  codesSentTo,
  e164,
  nextCode,
  serverLogLines,
} from "./helpers";

interface Adult {
  phone: string;
  id: string;
  surname: string;
  givenNames: string;
  dateOfBirth: [string, string, string];
}

interface Child {
  birthCertificate: string;
  surname: string;
  givenNames: string;
}

const ROSE: Adult = { phone: "0712 345 701", id: "21000001", surname: "Achieng", givenNames: "Rose Atieno", dateOfBirth: ["14", "3", "1986"] };
const KIPROP: Adult = { phone: "0712 345 702", id: "21000002", surname: "Langat", givenNames: "Kiprop Kibet", dateOfBirth: ["7", "7", "1980"] };
const FAITH: Child = { birthCertificate: "5000007", surname: "Achieng", givenNames: "Faith Awino" }; // 7
const VICTOR: Child = { birthCertificate: "5000016", surname: "Achieng", givenNames: "Victor Ochieng" }; // 16
const JOY: Child = { birthCertificate: "5000005", surname: "Achieng", givenNames: "Joy Anyango" }; // 5
const CHELANGAT: Child = { birthCertificate: "5000010", surname: "Langat", givenNames: "Chelangat Jepkemboi" }; // 10

async function signIn(page: Page, who: Adult, words: { sendCode: string; signIn: string }) {
  const recipient = e164(who.phone);
  const before = codesSentTo(recipient).length;
  await page.goto("/sign-in");
  await page.locator("#contact").fill(who.phone);
  await page.getByRole("button", { name: words.sendCode, exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await page.locator("#code").fill(await nextCode(recipient, before));
  await page.getByRole("button", { name: words.signIn, exact: true }).click();
  await expect(page).toHaveURL(/\/applications$/);
}

async function confirmIdentity(page: Page, who: Adult, button: string) {
  await page.locator("#id-number").fill(who.id);
  await page.locator("#surname").fill(who.surname);
  await page.locator("#given-names").fill(who.givenNames);
  await page.locator("#dob-day").fill(who.dateOfBirth[0]);
  await page.locator("#dob-month").fill(who.dateOfBirth[1]);
  await page.locator("#dob-year").fill(who.dateOfBirth[2]);
  await page.getByRole("button", { name: button, exact: true }).click();
  await expect(page).toHaveURL(/\/children\/new\?confirmed=1$/);
  await expect(page.getByTestId("identity-confirmed")).toBeVisible();
}

async function fillChild(page: Page, child: Child, button: string) {
  await page.locator("#birth-certificate").fill(child.birthCertificate);
  await page.locator("#surname").fill(child.surname);
  await page.locator("#given-names").fill(child.givenNames);
  await page.locator("#relationship").check();
  await page.getByRole("button", { name: button, exact: true }).click();
}

/** Adds a child as a parent and consents; returns the child's page path. */
async function addAndConsent(page: Page, child: Child, words: { next: string; consent: string }, check: (p: Page) => Promise<void>) {
  await fillChild(page, child, words.next);
  await expect(page).toHaveURL(/\/children\/[0-9a-f]+\/consent$/);
  await expect(page.getByTestId("child-name")).toHaveText(`${child.givenNames} ${child.surname}`);
  await check(page);
  await page.locator("#consent").check();
  await page.getByTestId("give-consent").click();
  await expect(page).toHaveURL(/\/children\/[0-9a-f]+$/);
  await expect(page.getByTestId("child-name")).toHaveText(`${child.givenNames} ${child.surname}`);
  await check(page);
  return new URL(page.url()).pathname;
}

test("with JavaScript: a mother registers two children, is refused one under 6, and withdraws consent for one", async ({ page }) => {
  test.setTimeout(90_000);
  const words = { next: "Continue", consent: "Give consent" };
  await signIn(page, ROSE, { sendCode: "Send code", signIn: "Sign in" });
  await expect(page.getByTestId("children")).toContainText("You have not registered a child.");

  // Registering a child starts with confirming who she is.
  await page.getByTestId("add-child").click();
  await expect(page).toHaveURL(/\/identity$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm who you are");
  await expectAccessible(page);
  await confirmIdentity(page, ROSE, "Confirm");
  await expectAccessible(page);

  // The consent step, sent without the box ticked: the error summary takes focus.
  await fillChild(page, FAITH, words.next);
  await expect(page).toHaveURL(/\/consent$/);
  for (const heading of ["What we collect about the child", "Why", "Who sees it", "How long we keep it", "Withdrawing consent"]) {
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  }
  await page.getByTestId("give-consent").click();
  await expect(page.getByTestId("error-summary")).toBeFocused();
  await expect(page).toHaveTitle(/^Error: /);
  await page.locator("#consent").check();
  await page.getByTestId("give-consent").click();
  await expect(page).toHaveURL(/\/children\/[0-9a-f]+$/);
  await expect(page.getByTestId("state")).toHaveText("Verified");
  await expect(page.getByTestId("child-role")).toHaveText("Mother");
  await expect(page.getByTestId("child-age")).toHaveText("7");
  await expect(page.getByTestId("consents")).toContainText("You (Mother) gave consent on");
  await expect(page.getByTestId("book-appointment")).toBeVisible();
  await expectAccessible(page);

  // The second child, from the list.
  await page.goto("/applications");
  await page.getByTestId("add-child").click();
  await expect(page).toHaveURL(/\/children\/new$/);
  const victor = await addAndConsent(page, VICTOR, words, expectAccessible);
  await expect(page.getByTestId("child-age")).toHaveText("16");

  // A child under 6 is refused, with the reason, at the field and in the summary.
  await page.goto("/children/new");
  await fillChild(page, JOY, words.next);
  await expect(page).toHaveURL(/\/children\/new$/);
  await expect(page.getByTestId("error-summary")).toBeFocused();
  await expect(page.getByTestId("error-summary")).toContainText("No card is issued before the age of 6");
  await expect(page.locator("#birth-certificate-error")).toContainText("the birth certificate is the child's identity document");
  await expectAccessible(page);

  await page.goto("/applications");
  const children = page.getByTestId("children");
  await expect(children.getByRole("link", { name: "Faith Awino Achieng" })).toBeVisible();
  await expect(children.getByRole("link", { name: "Victor Ochieng Achieng" })).toBeVisible();
  await expect(children).not.toContainText("Joy");

  // Withdrawing consent: a page that says what happens, then the list without him.
  await page.goto(victor);
  await page.getByTestId("withdraw-link").click();
  await expect(page).toHaveURL(new RegExp(`${victor}/withdraw$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Withdraw your consent?");
  await expectAccessible(page);
  await page.getByTestId("confirm-withdraw").click();
  await expect(page).toHaveURL(/\/applications\?withdrawn=1$/);
  await expect(page.getByTestId("consent-withdrawn")).toBeVisible();
  await expect(children).not.toContainText("Victor");
  await expect(children).toContainText("Faith Awino Achieng");
  const response = await page.goto(victor);
  expect(response?.status()).toBe(404);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("in Kiswahili: a father registers his daughter", async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto("/sign-in");
    await page.getByTestId("language-switch").click();
    await expect(page.locator("html")).toHaveAttribute("lang", "sw");
    await signIn(page, KIPROP, { sendCode: "Tuma nambari", signIn: "Ingia" });

    await page.getByTestId("add-child").click();
    await expect(page).toHaveURL(/\/identity$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Thibitisha wewe ni nani");
    // A wrong date of birth: the summary takes focus without any script.
    await page.locator("#id-number").fill(KIPROP.id);
    await page.locator("#surname").fill(KIPROP.surname);
    await page.locator("#given-names").fill(KIPROP.givenNames);
    await page.locator("#dob-day").fill("8");
    await page.locator("#dob-month").fill("7");
    await page.locator("#dob-year").fill("1980");
    await page.getByRole("button", { name: "Thibitisha", exact: true }).click();
    await expect(page.getByTestId("error-summary")).toBeFocused();
    await expect(page).toHaveTitle(/^Hitilafu: /);
    // The registry's one answer to any detail that differs: it never says which.
    await expect(page.getByTestId("error-summary")).toContainText(
      "Maelezo haya hayalingani na sajili. Yalinganishe na cheti cha kuzaliwa au kitambulisho.",
    );
    await expectAccessibleWithoutJs(page);
    await confirmIdentity(page, KIPROP, "Thibitisha");
    await expectAccessibleWithoutJs(page);

    await addAndConsent(page, CHELANGAT, { next: "Endelea", consent: "Toa idhini" }, expectAccessibleWithoutJs);
    await expect(page.getByTestId("child-role")).toHaveText("Baba");
    await expect(page.getByTestId("state")).toHaveText("Limethibitishwa");
    await expect(page.getByTestId("consents")).toContainText("Wewe (Baba) alitoa idhini tarehe");
  });
});

test("the server's log holds none of the names or numbers the children journeys typed", async () => {
  const lines = serverLogLines();
  expect(lines.some((line) => line.includes("/children/"))).toBe(true);
  const words = new Set<string>();
  const numbers = new Set<string>();
  for (const adult of [ROSE, KIPROP]) {
    for (const word of [adult.surname, ...adult.givenNames.split(" ")]) words.add(word);
    numbers.add(adult.id).add(adult.phone.replace(/\D/g, "")).add(e164(adult.phone).slice(1));
    for (const code of codesSentTo(e164(adult.phone))) numbers.add(code);
  }
  for (const child of [FAITH, VICTOR, JOY, CHELANGAT]) {
    for (const word of [child.surname, ...child.givenNames.split(" ")]) words.add(word);
    numbers.add(child.birthCertificate);
  }
  const found: string[] = [];
  for (const line of lines) {
    const lower = line.toLowerCase();
    for (const word of words) if (lower.includes(word.toLowerCase())) found.push(`"${word}" in: ${line}`);
    for (const number of numbers) if (new RegExp(`(?<!\\d)${number}(?!\\d)`).test(line)) found.push(`"${number}" in: ${line}`);
  }
  expect(found).toEqual([]);
});
