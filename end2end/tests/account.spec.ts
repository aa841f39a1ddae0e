import { test, expect, expectAccessible, e164, codesSentTo, nextCode } from "./helpers";

const PHONE = "0712 345 733";

// No console-error check here: the wrong code is answered 422, which
// Chromium reports on the console as a failed load.
test("deleting an account takes a fresh code sent to its own phone, and a wrong one deletes nothing", async ({
  page,
}) => {
  const recipient = e164(PHONE);
  let before = codesSentTo(recipient).length;
  await page.goto("/sign-in");
  await page.locator("#contact").fill(PHONE);
  await page.getByRole("button", { name: "Send code", exact: true }).click();
  await page.locator("#code").fill(await nextCode(recipient, before));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/applications$/);

  await page.getByTestId("delete-account").click();
  await expect(page).toHaveURL(/\/account\/delete$/);
  await expectAccessible(page);
  before = codesSentTo(recipient).length;
  await page.getByTestId("send-delete-code").click();
  await expect(page).toHaveURL(/\/account\/delete$/);
  await expect(page.getByTestId("code-sent-to")).toContainText(recipient.slice(-3));
  await expect(page.getByTestId("code-sent-to")).not.toContainText(recipient);
  await expectAccessible(page);
  const code = await nextCode(recipient, before);

  // A wrong code: the error summary takes focus, and the account stays.
  await page.locator("#code").fill(code === "000000" ? "111111" : "000000");
  await page.getByTestId("confirm-delete").click();
  const summary = page.getByTestId("error-summary");
  await expect(summary).toBeFocused();
  await expect(summary).toContainText("That code is not right");
  await expectAccessible(page);

  await page.locator("#code").fill(code);
  await page.getByTestId("confirm-delete").click();
  await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
  await expect(page.getByText("Your account has been deleted.")).toBeVisible();
  await page.goto("/applications");
  await expect(page).toHaveURL(/\/sign-in$/);
});
