// The citizen's whole journey, from sign-in to a reference number: once in
// English with JavaScript, once in Kiswahili without it. Then the server's
// own log is searched for everything the journeys typed.
//
// Needs what scripts/test.sh sets up: a fresh server started by
// scripts/server.sh (its log in USAJILI_E2E_SERVER_LOG, the `log` message
// transport's file in USAJILI_E2E_MESSAGE_LOG, where the sign-in codes are
// read from), with end2end/fixtures/births.csv imported into the registry
// replica. One birth certificate may have only one active application, so
// the journeys cannot be run twice against the same database.

import { Page } from "@playwright/test";
import {
  test,
  expect,
  expectAccessible,
  expectAccessibleWithoutJs,
  birthRecord,
  BirthRecord,
  codesSentTo,
  e164,
  messagesTo,
  nextCode,
  pngImage,
  serverLogLines,
  waitForLiveCheck,
} from "./helpers";

const REFERENCE = /^HN-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;
const TASKS = ["about-you", "birth-certificate", "documents", "contact", "parents", "photo"] as const;
type Slug = (typeof TASKS)[number];

interface Words {
  lang: "en" | "sw";
  sendCode: string;
  signIn: string;
  start: string;
  save: string;
  done: string;
  notDone: string;
  checkAnswers: string;
  change: string;
  continue: string;
  send: string;
  verified: string;
  errorPrefix: string;
  tasks: Record<Slug, string>;
  booking: {
    book: string;
    showCentres: string;
    choose: string;
    bookTime: string;
    booked: string;
    change: string;
    move: string;
    cancel: string;
    confirmCancel: string;
  };
}

const ENGLISH: Words = {
  lang: "en",
  sendCode: "Send code",
  signIn: "Sign in",
  start: "Start an application for your ID card",
  save: "Save and continue",
  done: "Completed",
  notDone: "Not yet started",
  checkAnswers: "Check your answers",
  change: "Change",
  continue: "Continue",
  send: "Send application",
  verified: "Verified",
  errorPrefix: "Error: ",
  tasks: {
    "about-you": "About you",
    "birth-certificate": "Birth certificate",
    documents: "Other documents you hold (optional)",
    contact: "Contact details",
    parents: "Parents",
    photo: "Photo",
  },
  booking: {
    book: "Book an appointment at a Huduma Centre",
    showCentres: "Show centres",
    choose: "Choose this centre",
    bookTime: "Book this time",
    booked: "Your appointment is booked",
    change: "Change the day, time or centre",
    move: "Move my appointment to this time",
    cancel: "Cancel the appointment",
    confirmCancel: "Yes, cancel the appointment",
  },
};

const KISWAHILI: Words = {
  lang: "sw",
  sendCode: "Tuma nambari",
  signIn: "Ingia",
  start: "Anza ombi la kitambulisho chako",
  save: "Hifadhi na uendelee",
  done: "Imekamilika",
  notDone: "Bado haijaanza",
  checkAnswers: "Angalia majibu yako",
  change: "Badilisha",
  continue: "Endelea",
  send: "Tuma ombi",
  verified: "Limethibitishwa",
  errorPrefix: "Hitilafu: ",
  tasks: {
    "about-you": "Kukuhusu",
    "birth-certificate": "Cheti cha kuzaliwa",
    documents: "Hati nyingine ulizo nazo (si lazima)",
    contact: "Maelezo ya mawasiliano",
    parents: "Wazazi",
    photo: "Picha",
  },
  booking: {
    book: "Panga miadi katika Kituo cha Huduma",
    showCentres: "Onyesha vituo",
    choose: "Chagua kituo hiki",
    bookTime: "Panga wakati huu",
    booked: "Miadi yako imepangwa",
    change: "Badilisha siku, wakati au kituo",
    move: "Hamishia miadi yangu wakati huu",
    cancel: "Ghairi miadi",
    confirmCancel: "Ndiyo, ghairi miadi",
  },
};

type Parent = { status: "known"; name: string; id: string } | { status: "deceased" } | { status: "not-known" };

/** Someone applying: their birth record, and what else they type. */
interface Applicant {
  record: BirthRecord;
  countyOfResidence: string;
  location: string;
  /** The number as typed on the sign-in page, and as typed in the contact task. */
  signInPhone: string;
  contactPhone: string;
  email: string;
  messages: "en" | "sw";
  mother: Parent;
  father: Parent;
}

/** A Huduma Centre an applicant books at. */
interface Centre {
  county: string;
  name: string;
}

const NYOKABI: Applicant = {
  record: birthRecord("3870412"),
  countyOfResidence: "047", // Nairobi
  location: "Kiambaa",
  signInPhone: "0712 345 611",
  contactPhone: "0712345611",
  email: "nyokabi.kamande@example.com",
  messages: "en",
  mother: { status: "known", name: "Wangui Kamande", id: "31846205" },
  father: { status: "deceased" },
};

const KIBIWOTT: Applicant = {
  record: birthRecord("5291637"),
  countyOfResidence: "027", // Uasin Gishu
  location: "Kapseret",
  signInPhone: "+254 712 345 622",
  contactPhone: "0712 345 622",
  email: "",
  messages: "sw",
  mother: { status: "known", name: "Jepchumba Kiplagat", id: "27719364" },
  father: { status: "known", name: "Kipruto Kiplagat", id: "24453018" },
};

/** What a journey needs to know about the browser it runs in. */
interface Run {
  page: Page;
  words: Words;
  /** The accessibility check that works with or without JavaScript. */
  check: (page: Page) => Promise<void>;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** From the sign-in page to the (empty) list of applications. */
async function signIn({ page, words, check }: Run, who: Applicant, options: { liveCheck?: boolean } = {}) {
  const recipient = e164(who.signInPhone);
  await page.goto("/sign-in");
  await expect(page.locator("html")).toHaveAttribute("lang", words.lang);
  await check(page);

  const before = codesSentTo(recipient).length;
  await page.locator("#contact").fill(who.signInPhone);
  await page.getByRole("button", { name: words.sendCode, exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await expect(page.getByTestId("code-sent-to")).toContainText(recipient.slice(-3));
  await expect(page.getByTestId("code-sent-to")).not.toContainText(recipient);
  await expect(page.locator("#code")).toHaveAttribute("autocomplete", "one-time-code");
  await check(page);

  const code = await nextCode(recipient, before);
  if (options.liveCheck) {
    // The code field is checked in the browser when it is left.
    await waitForLiveCheck(page, "code");
    await page.locator("#code").fill("12a");
    await page.locator("#code").press("Tab");
    await expect(page.locator("#code-error")).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in\/code$/);
  }
  await page.locator("#code").fill(code);
  if (options.liveCheck) await expect(page.locator("#code-error")).toBeHidden();
  await page.getByRole("button", { name: words.signIn, exact: true }).click();
  await expect(page).toHaveURL(/\/applications$/);
  await check(page);
}

/** Starts an application; returns its id, on its task list. */
async function startApplication({ page, words, check }: Run): Promise<string> {
  await page.getByRole("button", { name: words.start, exact: true }).click();
  await expect(page).toHaveURL(/\/applications\/[0-9a-f]+$/);
  const id = new URL(page.url()).pathname.split("/").at(-1)!;
  for (const slug of TASKS) await expect(page.locator(`#${slug}-status`)).toHaveText(words.notDone);
  await expect(page.getByRole("link", { name: words.checkAnswers, exact: true })).toHaveCount(0);
  await check(page);
  return id;
}

/** Follows a task's link from the task list and checks its form. */
async function openTask({ page, words, check }: Run, id: string, slug: Slug) {
  await page.getByRole("link", { name: words.tasks[slug], exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/${slug}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(words.tasks[slug]);
  await check(page);
}

/** Saves a task and expects to be back on the task list with it done. */
async function saveTask({ page, words }: Run, id: string, slug: Slug) {
  await page.getByRole("button", { name: words.save, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
  await expect(page.locator(`#${slug}-status`)).toHaveText(words.done);
}

async function fillAboutYou(page: Page, who: Applicant) {
  const r = who.record;
  await page.locator("#surname").fill(r.surname);
  await page.locator("#given-names").fill(r.givenNames);
  await page.locator(r.sex === "F" ? "#sex" : "#sex-M").check();
  await page.locator("#dob-day").fill(r.dateOfBirth[0]);
  await page.locator("#dob-month").fill(r.dateOfBirth[1]);
  await page.locator("#dob-year").fill(r.dateOfBirth[2]);
  await page.locator("#county-of-birth").selectOption(r.county);
  await page.locator("#county-of-residence").selectOption(who.countyOfResidence);
  await page.locator("#location").fill(who.location);
}

async function fillParent(page: Page, who: "mother" | "father", parent: Parent) {
  const radio = { known: `#${who}-status`, deceased: `#${who}-status-deceased`, "not-known": `#${who}-status-not-known` };
  await page.locator(radio[parent.status]).check();
  if (parent.status === "known") {
    await page.locator(`#${who}-name`).fill(parent.name);
    await page.locator(`#${who}-id`).fill(parent.id);
  }
}

/** The tasks other than "About you", each checked and saved. */
async function doTheOtherTasks(run: Run, id: string, who: Applicant) {
  const { page } = run;

  await openTask(run, id, "birth-certificate");
  await page.locator("#birth-certificate").fill(who.record.birthCertificate);
  await saveTask(run, id, "birth-certificate");

  await openTask(run, id, "documents");
  await saveTask(run, id, "documents");

  await openTask(run, id, "contact");
  await page.locator("#phone").fill(who.contactPhone);
  await page.locator("#email").fill(who.email);
  await page.locator(who.messages === "en" ? "#language" : "#language-sw").check();
  await saveTask(run, id, "contact");

  await openTask(run, id, "parents");
  await fillParent(page, "mother", who.mother);
  await fillParent(page, "father", who.father);
  await saveTask(run, id, "parents");

  await openTask(run, id, "photo");
  await page.locator("#photo").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: pngImage(300, 400) });
  await saveTask(run, id, "photo");
}

/** From the task list, all done, through check your answers to the declaration. */
async function checkAnswers({ page, words, check }: Run, id: string, who: Applicant) {
  // The task list with every task done (the button, and the link under it).
  await check(page);
  await page.getByRole("link", { name: words.checkAnswers, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/check-answers$`));
  const answers = page.getByTestId("answers");
  for (const typed of [who.record.surname, who.record.givenNames, who.record.birthCertificate, who.location]) {
    await expect(answers).toContainText(typed);
  }
  await expect(answers).toContainText(e164(who.contactPhone));
  // Every answer has its own "Change" link back to its field.
  const changes = answers.getByRole("link", { name: new RegExp(`^${escape(words.change)} `) });
  expect(await changes.count()).toBeGreaterThanOrEqual(TASKS.length);
  await expect(answers.locator(`a[href="/applications/${id}/about-you#surname"]`)).toHaveCount(1);
  await check(page);
  await page.getByRole("link", { name: words.continue, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/declaration$`));
  await check(page);
}

/** Sends the application; expects it verified, with a reference number, and returns that. */
async function sendApplication({ page, words, check }: Run, id: string, who: Applicant): Promise<string> {
  await page.locator("#declaration").check();
  await page.getByRole("button", { name: words.send, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
  await expect(page.getByTestId("state")).toHaveText(words.verified);
  const reference = (await page.getByTestId("reference").textContent())?.trim() ?? "";
  expect(reference).toMatch(REFERENCE);
  await check(page);

  // The citizen is told by text message, at the number they gave, in the language they chose.
  const told = () => messagesTo(e164(who.contactPhone)).filter((line) => line.includes(reference));
  await expect.poll(told, { message: "a message with the reference", timeout: 15_000 }).toHaveLength(1);
  expect(told()[0]).toContain("kind=application_verified");
  expect(told()[0]).toContain(who.messages === "en" ? "matches the national registry" : "linalingana na sajili ya kitaifa");

  // The list of applications shows it by name, with its reference.
  await page.goto("/applications");
  const list = page.getByTestId("applications");
  await expect(list).toContainText(reference);
  await expect(list).toContainText(who.record.surname);
  await check(page);
  return reference;
}

/** Chooses the centre from the finder, by county, and opens its days and times. */
async function chooseCentre({ page, words, check }: Run, centre: Centre, options: { inPlace?: boolean } = {}) {
  const list = page.getByTestId("centres");
  if (options.inPlace) {
    // With JavaScript, choosing a county updates the list without loading a new page.
    await expect(page.locator("#finder")).toHaveAttribute("data-in-place", "on", { timeout: 30_000 });
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    await page.locator("#county").selectOption(centre.county);
    await expect(page).toHaveURL(new RegExp(`county=${centre.county}`));
    await expect(list).toContainText(centre.name);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  } else {
    await page.locator("#county").selectOption(centre.county);
    await page.getByRole("button", { name: words.booking.showCentres, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`county=${centre.county}`));
    await expect(list).toContainText(centre.name);
  }
  await check(page);
  await list.getByRole("link", { name: `${words.booking.choose} – ${centre.name}`, exact: true }).click();
  await expect(page).toHaveURL(/\/booking\/centres\/[a-z-]+$/);
  await expect(page.getByTestId("slots")).toBeVisible();
  await check(page);
}

/**
 * From the verified application: finds a centre, books its first free
 * time, checks the acknowledgement (QR code, one printed A4 page), moves the
 * appointment to another time, then cancels it.
 */
async function bookChangeAndCancel(run: Run, id: string, who: Applicant, reference: string, centre: Centre, js: boolean) {
  const { page, words, check } = run;
  await page.goto(`/applications/${id}`);
  await page.getByRole("link", { name: words.booking.book, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/booking/centres$`));
  await check(page);
  await chooseCentre(run, centre, { inPlace: js });
  if (js) {
    // Another day's times, in place too.
    await expect(page.locator("#day-picker")).toHaveAttribute("data-in-place", "on", { timeout: 30_000 });
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    const secondDay = (await page.locator("#day option").nth(1).getAttribute("value"))!;
    await page.locator("#day").selectOption(secondDay);
    await expect(page).toHaveURL(new RegExp(`day=${secondDay}`));
    await expect(page.locator('input[name="day"]')).toHaveValue(secondDay);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  }

  const slots = page.locator('input[name="slot"]');
  const first = (await slots.first().getAttribute("value"))!;
  await slots.first().check();
  await page.getByRole("button", { name: words.booking.bookTime, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/booking$`));
  await expect(page.getByTestId("acknowledgement").getByRole("heading", { level: 1 })).toHaveText(words.booking.booked);
  await expect(page.getByTestId("reference")).toHaveText(reference);
  await expect(page.getByTestId("when")).toContainText(first);
  await expect(page.getByTestId("centre")).toContainText(centre.name);
  await expect(page.getByTestId("qr").locator("svg")).toBeVisible();
  await check(page);

  // Printed: no site header and no links, on one A4 page.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByTestId("change")).toBeHidden();
  await expect(page.getByTestId("qr").locator("svg")).toBeVisible();
  // On an A4 sheet's width, every value starts at the same point, the
  // centre's too, and none runs under the QR code.
  const screen = page.viewportSize()!;
  await page.setViewportSize({ width: 794, height: 1123 });
  const lefts = await page.getByTestId("acknowledgement").locator("dd").evaluateAll((dds) => dds.map((d) => Math.round(d.getBoundingClientRect().left)));
  expect(new Set(lefts).size, `the values' left edges: ${lefts}`).toBe(1);
  const qrLeft = await page.getByTestId("qr").evaluate((q) => q.getBoundingClientRect().left);
  expect(await page.getByTestId("centre").evaluate((c) => c.getBoundingClientRect().right)).toBeLessThanOrEqual(qrLeft);
  const details = page.getByTestId("acknowledgement").locator("dl");
  expect(await details.evaluate((d) => d.getBoundingClientRect().right), "the details stay left of the QR code").toBeLessThanOrEqual(qrLeft);
  await page.setViewportSize(screen);
  // Back to the browser's own media: page.pdf() prints with the print stylesheet.
  await page.emulateMedia({ media: null });
  const pdf = await page.pdf({ format: "A4" });
  expect(pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? [], "pages in the printed acknowledgement").toHaveLength(1);
  await expect(page.getByTestId("change")).toBeVisible();

  // Moved to another time: the new one is shown, the old place is given up.
  await page.getByTestId("change").click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/booking/centres$`));
  await chooseCentre(run, centre);
  const second = (await page.locator('input[name="slot"]').nth(2).getAttribute("value"))!;
  expect(second).not.toBe(first);
  await page.locator(`input[name="slot"][value="${second}"]`).check();
  await page.getByRole("button", { name: words.booking.move, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/booking$`));
  await expect(page.getByTestId("when")).toContainText(second);

  // Cancelled, after a confirmation: back to booking again.
  await page.getByRole("link", { name: words.booking.cancel, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/booking/cancel$`));
  await check(page);
  await page.getByRole("button", { name: words.booking.confirmCancel, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
  await expect(page.getByTestId("state")).toHaveText(words.verified);
  await expect(page.getByRole("link", { name: words.booking.book, exact: true })).toBeVisible();

  // Each step was told by text message.
  const told = () => messagesTo(e164(who.contactPhone)).filter((line) => line.includes(reference));
  for (const kind of ["booking_confirmed", "booking_changed", "booking_cancelled"]) {
    await expect.poll(() => told().some((line) => line.includes(`kind=${kind}`)), { message: kind, timeout: 15_000 }).toBe(true);
  }
}

test("in English with JavaScript: from sign-in to a reference number, with live checks and an error summary that takes focus", async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(90_000);
  const run: Run = { page, words: ENGLISH, check: expectAccessible };
  const who = NYOKABI;

  await signIn(run, who, { liveCheck: true });
  const id = await startApplication(run);

  // About you, sent empty: every problem is listed, and the list takes focus.
  await openTask(run, id, "about-you");
  const posted = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/about-you"));
  await page.getByRole("button", { name: ENGLISH.save, exact: true }).click();
  expect((await posted).status()).toBe(422);
  // Chromium reports a page that comes with an error status as a console
  // error; this one is expected.
  await expect.poll(() => consoleErrors.findIndex((e) => e.includes("status of 422"))).toBeGreaterThanOrEqual(0);
  consoleErrors.splice(consoleErrors.findIndex((e) => e.includes("status of 422")), 1);
  const summary = page.getByTestId("error-summary");
  await expect(summary).toBeFocused();
  await expect(summary).toHaveAttribute("role", "alert");
  await expect(page).toHaveTitle(/^Error: About you/);
  const links = summary.getByRole("link");
  await expect(links).toHaveCount(7);
  for (const field of ["surname", "given-names", "sex", "dob-day", "county-of-birth", "county-of-residence", "location"]) {
    await expect(summary.locator(`a[href="#${field}"]`)).toHaveCount(1);
  }
  await expect(page.locator("#surname-error")).toBeVisible();
  await expect(page.locator("#dob-error")).toBeVisible();
  await expect(page.locator("#surname")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  // Each link in the summary moves focus to its field.
  await summary.locator('a[href="#surname"]').click();
  await expect(page.locator("#surname")).toBeFocused();
  await summary.locator('a[href="#dob-day"]').click();
  await expect(page.locator("#dob-day")).toBeFocused();
  await summary.locator('a[href="#sex"]').click();
  await expect(page.locator("#sex")).toBeFocused();

  // A name with a digit is caught in the browser as soon as the field is left.
  await waitForLiveCheck(page, "given-names");
  await page.locator("#given-names").fill("Nyokabi 2");
  await page.locator("#given-names").press("Tab");
  await expect(page.locator("#given-names-error")).toBeVisible();

  await fillAboutYou(page, who);
  // The message goes as soon as the field is right.
  await expect(page.locator("#given-names-error")).toBeHidden();
  await saveTask(run, id, "about-you");
  await expect(page.locator("#birth-certificate-status")).toHaveText(ENGLISH.notDone);

  // The birth certificate number is checked in the browser, without sending the form.
  await openTask(run, id, "birth-certificate");
  await waitForLiveCheck(page, "birth-certificate");
  await page.locator("#birth-certificate").fill("12AB");
  await page.locator("#birth-certificate").press("Tab");
  await expect(page.locator("#birth-certificate-error")).toBeVisible();
  await expect(page.locator("#birth-certificate-group")).toHaveClass(/form-group--error/);
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/birth-certificate$`));
  await expectAccessible(page);
  await page.goto(`/applications/${id}`);

  await doTheOtherTasks(run, id, who);

  // A "Change" link leads back to the answer, which is kept.
  await page.getByRole("link", { name: ENGLISH.checkAnswers, exact: true }).click();
  await page.locator(`a[href="/applications/${id}/about-you#surname"]`).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}/about-you#surname$`));
  await expect(page.locator("#surname")).toHaveValue(who.record.surname);
  await expect(page.locator("#county-of-residence")).toHaveValue(who.countyOfResidence);
  await saveTask(run, id, "about-you");

  await checkAnswers(run, id, who);
  const reference = await sendApplication(run, id, who);
  await bookChangeAndCancel(run, id, who, reference, { county: "047", name: "Huduma Centre Kibra" }, true);
  expect(consoleErrors).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("in Kiswahili: from sign-in to a reference number, and the error summary takes focus", async ({ page }) => {
    test.setTimeout(90_000);
    const run: Run = { page, words: KISWAHILI, check: expectAccessibleWithoutJs };
    const who = KIBIWOTT;

    // The language switch is a plain link; the choice is remembered.
    await page.goto("/sign-in");
    await page.getByTestId("language-switch").click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "sw");

    await signIn(run, who);
    const id = await startApplication(run);

    await openTask(run, id, "about-you");
    await fillAboutYou(page, who);
    await saveTask(run, id, "about-you");
    await doTheOtherTasks(run, id, who);
    await checkAnswers(run, id, who);

    // The declaration, sent unticked: the error summary takes focus (autofocus, no script).
    await page.getByRole("button", { name: KISWAHILI.send, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/applications/${id}/declaration$`));
    const summary = page.getByTestId("error-summary");
    await expect(summary).toBeFocused();
    await expect(summary).toContainText("Kuna tatizo");
    await expect(page).toHaveTitle(/^Hitilafu: /);
    await expect(page.locator("#declaration-error")).toBeVisible();
    await expectAccessibleWithoutJs(page);
    await summary.locator('a[href="#declaration"]').click();
    await expect(page.locator("#declaration")).toBeFocused();

    const reference = await sendApplication(run, id, who);
    await bookChangeAndCancel(run, id, who, reference, { county: "027", name: "Huduma Centre Uasin Gishu" }, false);
  });
});

test("the server's log holds none of the names, numbers or codes the journeys typed", async () => {
  const lines = serverLogLines();
  // It is this run's log: the server answered the journeys' requests.
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.some((line) => line.includes('"response"'))).toBe(true);
  expect(lines.some((line) => line.includes("/applications/{id}/{step}"))).toBe(true);

  const codes = [NYOKABI, KIBIWOTT].flatMap((who) => codesSentTo(e164(who.signInPhone)));
  expect(codes.length, "sign-in codes in the message log: run the journeys first").toBeGreaterThanOrEqual(2);

  const words = new Set<string>();
  const numbers = new Set<string>(codes);
  for (const who of [NYOKABI, KIBIWOTT]) {
    const r = who.record;
    for (const word of [r.surname, r.givenNames, ...r.givenNames.split(" "), who.location]) words.add(word);
    if (who.email) words.add(who.email);
    numbers.add(r.birthCertificate);
    for (const parent of [who.mother, who.father]) {
      if (parent.status === "known") {
        for (const word of [parent.name, ...parent.name.split(" ")]) words.add(word);
        numbers.add(parent.id);
      }
    }
    // Every form a number was typed in, and the forms the server makes of it.
    for (const phone of [who.signInPhone, who.contactPhone]) {
      words.add(phone).add(e164(phone));
      numbers.add(phone.replace(/\D/g, "")).add(e164(phone).slice(1)).add(`0${e164(phone).slice(4)}`);
    }
  }

  const found: string[] = [];
  for (const line of lines) {
    const lower = line.toLowerCase();
    for (const word of words) if (lower.includes(word.toLowerCase())) found.push(`"${word}" in: ${line}`);
    // Numbers count when they stand alone, not inside a longer run of digits.
    for (const number of numbers) {
      if (new RegExp(`(?<!\\d)${escape(number)}(?!\\d)`).test(line)) found.push(`"${number}" in: ${line}`);
    }
  }
  expect(found).toEqual([]);
});
