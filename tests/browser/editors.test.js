// The editors' service in real headless Chromium (Debian's chromium driven by playwright-core):
// an editor edits the FGM reporting page, meets a validation error for a bad phone number,
// fixes it, sees the preview and submits; an approver sees the diff, approves, publishes to
// staging and promotes to production. Then the contacts screens: an area's form (a bad phone
// number refused with the form kept, a good one saved as a change with its diff) and a CSV
// upload whose problems are named by CSV line. Screenshots of each main screen go to $SCREENSHOTS.
//
// Run by scripts/test-browser, which starts the server and sets SERVER_URL, the accounts'
// passwords (EDITOR_PASSWORD, APPROVER_PASSWORD) and SCREENSHOTS.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const BASE = process.env.SERVER_URL;
const SHOTS = process.env.SCREENSHOTS || "screenshots";
const PAGE_ID = "fgm-mandatory-reporting";
const BAD = "[101](tel:10l)";
const EDIT_FROM = "as soon as you can and normally by the end of the next working day";
const EDIT_TO = "as soon as you can, and normally by the end of the next working day";

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

async function login(browser, user, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // A broken page should fail the test, not pass silently: collect script errors and CSP reports.
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") { page.errors.push(m.text()); } });
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), new RegExp(`Hello, ${user}`));
  return { context, page };
}

test("edit, review, approve, publish and promote in the browser", { timeout: 120000 }, async () => {
  assert.ok(BASE, "SERVER_URL is set");
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    // ---- the editor ----
    const editor = await login(browser, "editor", process.env.EDITOR_PASSWORD);
    let page = editor.page;
    await shot(page, "01-editor-home");
    await page.click("nav >> text=Pages");
    await page.click(`a[href="/pages/${PAGE_ID}"]`);
    assert.match(await page.textContent("h1"), /FGM: the mandatory reporting duty/);
    await shot(page, "02-page");
    await page.click("#edit-page");
    await page.waitForSelector("textarea#source");
    const published = await page.inputValue("textarea#source");
    assert.ok(published.includes("[101](tel:101)"), "the published text is in the editor");
    assert.ok(published.includes(EDIT_FROM), "the sentence to edit is there");

    // A bad phone number: the validator says so, with its line.
    const bad = published.replace("[101](tel:101)", BAD);
    const badLine = bad.split("\n").findIndex((l) => l.includes(BAD)) + 1;
    await page.fill("textarea#source", bad);
    await Promise.all([page.waitForLoadState("load"), page.click("#check")]);
    const problems = await page.textContent("#problems-box");
    assert.match(problems, new RegExp(`line ${badLine}: error: phone link`), problems);
    await shot(page, "03-validation-error");

    // Fixed, and edited: no problems, and the preview shows the new sentence.
    const good = published.replace(EDIT_FROM, EDIT_TO);
    await page.fill("textarea#source", good);
    await page.fill("#summary", "Clarify when to report");
    await Promise.all([page.waitForLoadState("load"), page.click("#check")]);
    assert.match(await page.textContent("#problems-box"), /No problems found/);
    const preview = await page.textContent("#preview");
    assert.ok(preview.includes(EDIT_TO), "the preview shows the edit");
    assert.ok(await page.isVisible("#preview aside.callout.act-now"), "the act-now box renders as the apps show it");
    await shot(page, "04-preview");

    await Promise.all([page.waitForURL(/\/changes\/\d+$/), page.click("#save")]);
    const changeUrl = page.url();
    await Promise.all([page.waitForLoadState("load"), page.click("#submit")]);
    assert.equal((await page.textContent("#state")).trim(), "submitted");
    await shot(page, "05-submitted");
    assert.deepEqual(page.errors, [], "no script errors or CSP violations");
    await editor.context.close();

    // ---- the approver ----
    const approver = await login(browser, "approver", process.env.APPROVER_PASSWORD);
    page = approver.page;
    await page.click(`a[href="${new URL(changeUrl).pathname}"]`);
    const added = await page.textContent("#diff tr.added");
    const removed = await page.textContent("#diff tr.removed");
    assert.ok(added.includes(EDIT_TO) && removed.includes(EDIT_FROM), "the diff shows the edit");
    await shot(page, "06-review-diff");
    await page.fill("#review-comment", "Clearer, thanks.");
    await Promise.all([page.waitForLoadState("load"), page.click("#approve")]);
    assert.equal((await page.textContent("#state")).trim(), "approved");

    await page.click("nav >> text=Publish");
    assert.ok((await page.textContent("#approved")).includes(PAGE_ID));
    await Promise.all([page.waitForLoadState("load"), page.click("#publish-staging")]);
    const stagingRelease = (await page.textContent("#channel-staging .release")).trim();
    assert.ok(Number(stagingRelease) >= 2, `staging has the new release (${stagingRelease})`);
    await Promise.all([page.waitForLoadState("load"), page.click("#promote-production")]);
    assert.equal((await page.textContent("#channel-production .release")).trim(), stagingRelease);
    await shot(page, "07-published");
    assert.deepEqual(page.errors, [], "no script errors or CSP violations");
    await approver.context.close();
  } finally {
    await browser.close();
  }
});

test("contacts: an area's form and a CSV upload", { timeout: 120000 }, async () => {
  const browser = await launch();
  try {
    const editor = await login(browser, "editor", process.env.EDITOR_PASSWORD);
    const page = editor.page;
    await page.click("nav >> text=Contacts");
    assert.match(await page.textContent("h1"), /Contacts directories/);
    await shot(page, "08-contacts");

    await page.click('a[href="/contacts/area?path=contacts/sample-yorkshire/sheffield.toml"]');
    // The EDT's own fieldset, by its legend (other services' notes mention the EDT too).
    const edtPhones = () => page.locator("fieldset.service")
      .filter({ has: page.locator("legend", { hasText: "Emergency duty team" }) }).locator("textarea.phones");
    const phones = edtPhones();
    const before = await phones.inputValue();
    assert.ok(before.includes("Duty social worker: 0114 496 0042"), before);

    // A number that is not one: the validator refuses it and the form keeps what was typed.
    await phones.fill(before.replace("0114 496 0042", "0114 496"));
    await Promise.all([page.waitForLoadState("load"), page.click("#save")]);
    const problems = await page.textContent("#problems-box");
    assert.match(problems, /service 'Emergency duty team \(out of hours social care\)': .*0114 496/, problems);
    assert.ok((await edtPhones().inputValue()).includes("0114 496\n"), "the form keeps what was typed");
    await shot(page, "09-area-form-error");

    // A good number: saved as a draft, and the change's diff shows exactly that line.
    await edtPhones().fill(before.replace("0114 496 0042", "0114 496 0099"));
    await page.fill("input[name=summary]", "New EDT duty number");
    await Promise.all([page.waitForURL(/\/changes\/\d+$/), page.click("#save")]);
    const added = await page.textContent("#diff tr.added");
    const removed = await page.textContent("#diff tr.removed");
    assert.ok(added.includes("0114 496 0099") && removed.includes("0114 496 0042"), `${added} / ${removed}`);
    await shot(page, "10-area-change");

    // A CSV with problems: named by CSV line, nothing saved.
    await page.goto(`${BASE}/contacts/upload?directory=sample-yorkshire`);
    assert.equal(await page.inputValue("#name"), "Yorkshire sample directory", "an existing directory's details are filled in");
    await page.fill("#csv", "area_id,area_name\nsample-x,X\n");
    await Promise.all([page.waitForLoadState("load"), page.click("#upload")]);
    const csvProblems = await page.textContent("#problems-box");
    assert.match(csvProblems, /sample-yorkshire\.csv:line 1: error: missing columns/, csvProblems);
    await shot(page, "11-csv-problems");
    assert.deepEqual(page.errors, [], "no script errors or CSP violations");
    await editor.context.close();
  } finally {
    await browser.close();
  }
});
