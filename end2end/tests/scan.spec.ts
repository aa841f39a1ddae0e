// The day list's QR scanner, in Chromium with its fake camera. Headless
// Chromium has no BarcodeDetector (the island then stays off, as on any
// browser without one), so a stand-in that reads the applicant's reference
// from whatever it is shown takes its place: the island itself, its camera,
// its loop and its hand-over to the check-in form are the real ones.
import { test, expect, expectAccessible, fakeCamera, queue, signInStaff } from "./helpers";

test.use(fakeCamera);

test("an officer checks an applicant in by scanning the QR code of their acknowledgement", async ({ page, consoleErrors }) => {
  const last = queue().at(-1)!;
  await page.addInitScript((reference: string) => {
    class StandInDetector {
      async detect() {
        return [{ rawValue: reference, format: "qr_code" }];
      }
    }
    (window as unknown as { BarcodeDetector: unknown }).BarcodeDetector = StandInDetector;
  }, last.reference);
  await signInStaff(page, "officer@e2e.usajili.go.ke", "Continue");
  await expect(page).toHaveURL(/\/staff$/);
  const scan = page.locator(".scan");
  await expect(scan).toHaveAttribute("data-scan", "idle", { timeout: 30_000 });
  await expectAccessible(page);
  await page.getByRole("button", { name: "Scan the QR code", exact: true }).click();
  await expect(page).toHaveURL(/\/staff\/bookings\/[0-9a-f]+\?recorded=check-in$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(last.name);
  await expect(page.getByTestId("record-status")).toHaveText("Checked in");
  await expectAccessible(page);
  expect(consoleErrors).toEqual([]);
});