// The photo task's camera island, in Chromium with its fake camera (a
// moving test picture, permission granted): the island hydrates from the
// citizen pages' bundle, takes a photo, hands it to the form's file input,
// and the form uploads it like a file chosen by hand.
import { test, expect, expectAccessible, fakeCamera, signInCitizen } from "./helpers";

test.use(fakeCamera);

test("a citizen takes their photo with the camera and the form uploads it", async ({ page, consoleErrors }) => {
  await signInCitizen(page, "0712 345 821");
  await page.getByRole("button", { name: "Start an application for your ID card", exact: true }).click();
  await expect(page).toHaveURL(/\/applications\/[0-9a-f]+$/);
  const id = new URL(page.url()).pathname.split("/").at(-1)!;
  await page.goto(`/applications/${id}/photo`);

  const camera = page.locator(".camera");
  await expect(camera).toHaveAttribute("data-camera", "idle", { timeout: 30_000 });
  await expectAccessible(page);
  await page.getByRole("button", { name: "Take a photo with your camera", exact: true }).click();
  await expect(camera).toHaveAttribute("data-camera", "live");
  await expect(page.getByRole("button", { name: "Take photo", exact: true })).toBeFocused();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Take photo", exact: true }).click();
  await expect(camera).toHaveAttribute("data-camera", "idle");
  await expect(page.locator(".camera__status")).toHaveText("Photo taken. Select Save and continue to use it.");
  await expect(page.getByRole("button", { name: "Take again", exact: true })).toBeVisible();
  const chosen = await page.locator("#photo").evaluate((input: HTMLInputElement) => input.files?.[0]?.name);
  expect(chosen).toBe("camera.jpg");

  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
  await expect(page.locator("#photo-status")).not.toHaveText("Not done");
  expect(consoleErrors).toEqual([]);
});
