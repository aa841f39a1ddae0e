import { test as base, expect, Browser, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { createHmac } from "node:crypto";

const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/** Fails the test on any WCAG 2.2 A or AA violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
  // target-size (2.5.8) is off in axe by default: the tags must bring it in.
  const ran = [...results.passes, ...results.violations, ...results.incomplete, ...results.inapplicable].map((r) => r.id);
  expect(ran, "axe ran the WCAG 2.2 target-size rule").toContain("target-size");
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
  const url = page.url().split("#")[0];
  const copy = await replayPage(page.context().browser()!);
  const viewport = page.viewportSize();
  if (viewport) await copy.setViewportSize(viewport);
  await copy.unrouteAll();
  await copy.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  await copy.route(url, (route) => route.fulfill({ body: html, contentType: "text/html; charset=utf-8" }));
  await copy.goto(url);
  await expectAccessible(copy);
}

/**
 * One page per browser for the replays, in a context of its own (no
 * cookies): making a new one for every check is slow.
 */
const replayPages = new WeakMap<Browser, Promise<Page>>();
function replayPage(browser: Browser): Promise<Page> {
  let page = replayPages.get(browser);
  if (!page) {
    page = browser.newContext({ javaScriptEnabled: true }).then((context) => context.newPage());
    replayPages.set(browser, page);
  }
  return page;
}

/** Islands hydrate after the WASM loads; each marks itself (or the part of the page it drives) with data-hydrated once it has. */
export async function waitForHydration(page: Page) {
  await page.locator("[data-hydrated=true]").first().waitFor({ timeout: 30_000 });
}

/** A field's live check (a `LiveCheck` island, which renders nothing) marks the field once it listens. */
export async function waitForLiveCheck(page: Page, field: string) {
  await expect(page.locator(`#${field}`)).toHaveAttribute("data-live-check", "on", { timeout: 30_000 });
}

/** Every test collects console errors and page errors, and fails if there are any. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (msg) => {
      // Leptos only warns when a page's bundle lacks one of its islands.
      if (msg.type() === "error" || msg.text().includes("Could not find WASM function")) errors.push(msg.text());
    });
    page.on("pageerror", (err) => errors.push(err.message));
    await use(errors);
    expect(errors, "console errors").toEqual([]);
  },
});

export { expect };

// ---- The citizen's journey: messages, the server's log, test people ----

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with scripts/test.sh`);
  return value;
}

/** The file the server's `log` message transport writes (USAJILI_MESSAGE_LOG). */
export function messageLogPath(): string {
  return requiredEnv("USAJILI_E2E_MESSAGE_LOG");
}

/** The server's own log: its standard output and error, JSON lines. */
export function serverLogPath(): string {
  return requiredEnv("USAJILI_E2E_SERVER_LOG");
}

function readIfPresent(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** A Kenyan mobile number as typed (`0712 345 678`, `+254 712…`) in E.164 form. */
export function e164(typed: string): string {
  const digits = typed.replace(/\D/g, "");
  if (digits.startsWith("254")) return `+${digits}`;
  if (digits.startsWith("0")) return `+254${digits.slice(1)}`;
  return `+254${digits}`;
}

/** The lines the message log holds for one recipient (E.164 or email). */
export function messagesTo(recipient: string): string[] {
  return readIfPresent(messageLogPath())
    .split("\n")
    .filter((line) => line.includes(recipient));
}

/** Every sign-in code sent to a recipient, oldest first. */
export function codesSentTo(recipient: string): string[] {
  return messagesTo(recipient)
    .filter((line) => line.includes("sign_in_code"))
    .map((line) => {
      // The code is the six-digit run in the message's text (the recipient's
      // number is longer, and comes before it).
      const text = line.slice(line.indexOf("sign_in_code"));
      return text.match(/(?<!\d)\d{6}(?!\d)/)?.[0];
    })
    .filter((code): code is string => code !== undefined);
}

/**
 * Waits for the code sent after `before` codes had been (messages leave the
 * outbox from a background worker, within a second or two).
 */
export async function nextCode(recipient: string, before: number): Promise<string> {
  await expect
    .poll(() => codesSentTo(recipient).length, { message: `a sign-in code for ${recipient} in the message log`, timeout: 15_000 })
    .toBeGreaterThan(before);
  return codesSentTo(recipient).at(-1)!;
}

/** The server's log lines, with the timestamps (runs of digits, but not data) taken out. */
export function serverLogLines(): string[] {
  return readIfPresent(serverLogPath())
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        const entry = JSON.parse(line);
        delete entry.timestamp;
        return JSON.stringify(entry);
      } catch {
        return line;
      }
    });
}

/** A row of end2end/fixtures/births.csv: the registry's birth record of a test person. */
export interface BirthRecord {
  birthCertificate: string;
  surname: string;
  givenNames: string;
  sex: "F" | "M";
  /** Day, month, year, as a person types them. */
  dateOfBirth: [string, string, string];
  county: string;
}

/**
 * The test people, imported into the registry replica before the browser
 * tests run (scripts/test.sh): adults with a birth record and no ID card.
 */
export function birthRecord(birthCertificate: string): BirthRecord {
  const file = path.join(__dirname, "..", "fixtures", "births.csv");
  const row = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.split(","))
    .find((fields) => fields[0] === birthCertificate);
  if (!row) throw new Error(`no birth record ${birthCertificate} in ${file}`);
  const [year, month, day] = row[4].split("-");
  return {
    birthCertificate: row[0],
    surname: row[1],
    givenNames: row[2],
    sex: row[3] as "F" | "M",
    dateOfBirth: [String(Number(day)), String(Number(month)), year],
    county: row[5],
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A PNG photo (8-bit RGB, a soft gradient) of the given size, for the photo upload. */
export function pngImage(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const start = y * (width * 3 + 1);
    rows[start] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const at = start + 1 + x * 3;
      rows[at] = 200 + Math.round((x / width) * 40);
      rows[at + 1] = 190 + Math.round((y / height) * 50);
      rows[at + 2] = 170;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * Signs a citizen in with a code sent to `phone` (English words), and waits
 * for the list of applications, checking each page on the way.
 */
export async function signInCitizen(page: Page, phone: string) {
  const recipient = e164(phone);
  const before = codesSentTo(recipient).length;
  await page.goto("/sign-in");
  await expectAccessible(page);
  await page.locator("#contact").fill(phone);
  await page.getByRole("button", { name: "Send code", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await page.locator("#code").fill(await nextCode(recipient, before));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/applications$/);
  await expectAccessible(page);
}

// ---- Staff: the password scripts/test.sh gave its accounts, authenticator codes ----

/** The password of the staff accounts scripts/test.sh made (USAJILI_E2E_STAFF_PASSWORD). */
export function staffPassword(): string {
  return requiredEnv("USAJILI_E2E_STAFF_PASSWORD");
}

/** RFC 6238 with SHA-1, 6 digits, 30-second steps: what an authenticator app shows. */
export function totp(secretBase32: string, at = Date.now() / 1000): string {
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

/** Applicants booked at GPO today for the console (USAJILI_E2E_QUEUE, written by scripts/test.sh). */
export interface Queued {
  time: string;
  reference: string;
  name: string;
}

export function queue(): Queued[] {
  const file = process.env.USAJILI_E2E_QUEUE;
  if (!file) throw new Error("USAJILI_E2E_QUEUE is not set: run the tests with scripts/test.sh");
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter((line) => line.split("\t").length === 3)
    .map((line) => {
      const [time, reference, name] = line.split("\t");
      return { time, reference, name };
    });
}


/** Signs in to the staff console with the test accounts' password. */
export async function signInStaff(page: Page, email: string, button: string) {
  await page.goto("/staff/sign-in");
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(staffPassword());
  await page.getByRole("button", { name: button, exact: true }).click();
}

/** Chromium with its fake camera (a moving test picture) and camera
 * permission granted: `test.use(fakeCamera)` in a spec file that needs it. */
export const fakeCamera = {
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  },
};
