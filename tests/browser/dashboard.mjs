// Browser test of the seed's dashboard (run by tests/Talos.Tests/Operator/DashboardBrowserTests.cs):
//   node dashboard.mjs URL TOKEN SPEC.json OUTDIR
// Debian's headless Chromium, driven by playwright-core: log in with a token, submit a shot through the API,
// wait for its progress bar to reach 100%, check that the <video> plays, save screenshots. Prints one JSON line.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const [url, token, specFile, outDir] = process.argv.slice(2);
if (!url || !token || !specFile || !outDir) { console.error("usage: node dashboard.mjs URL TOKEN SPEC.json OUTDIR"); process.exit(2); }
fs.mkdirSync(outDir, { recursive: true });
const shot = (name) => path.join(outDir, name);

const browser = await chromium.launch({
  executablePath: process.env.TALOS_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("console", (m) => console.error("[page] " + m.text()));
  page.on("pageerror", (e) => console.error("[page error] " + e.message));
  page.on("response", (r) => { if (r.status() >= 400) console.error(`[http ${r.status()}] ${r.request().method()} ${r.url()}`); });
  page.on("requestfailed", (r) => console.error(`[request failed] ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));

  await page.goto(url + "/");
  await page.fill("#token", token);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])");
  await page.waitForSelector("#members tbody tr");

  // Submit a shot through the API from the page, with the same token.
  const spec = fs.readFileSync(specFile, "utf8");
  const submitted = await page.evaluate(async ({ spec, token }) => {
    const r = await fetch("/api/v1/shots", { method: "POST", headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: spec });
    return { status: r.status, body: await r.json() };
  }, { spec, token });
  if (submitted.status !== 202) throw new Error("submit answered " + submitted.status + ": " + JSON.stringify(submitted.body));
  const key = submitted.body.key;
  const card = `.shot[data-key="${key}"]`;
  // The queue is polled while shots arrive live, so a queue answer can lag the shot list. Make it lag every time: each
  // /queue answer keeps the shot as "rendering 75%" (what a poll taken just before the shot finished says).
  await page.route("**/api/v1/queue", async (route) => {
    const real = await route.fetch(), json = await real.json();
    if (!json.shots.some((s) => s.key === key))
      json.shots.push({ position: json.shots.length + 1, key, production: "dash", sequence: 1, status: "rendering", progress: 0.75, frameCount: 24 });
    await route.fulfill({ response: real, json });
  });

  await page.waitForSelector(`${card} .bar.overall`, { timeout: 30000 });
  // A screenshot mid-render when the page catches one (a small shot renders in seconds).
  await page.waitForFunction((c) => { const b = document.querySelector(c + " .bar.overall"); const v = b && +b.getAttribute("aria-valuenow"); return v > 0 && v < 100; },
    card, { timeout: 15000, polling: 100 }).catch(() => {});
  await page.screenshot({ path: shot("dashboard-rendering.png"), fullPage: true });
  await page.waitForSelector(`${card} .bar.overall[aria-valuenow="100"]`, { timeout: 240000 });
  await page.waitForSelector(`${card}[data-status="completed"]`, { timeout: 60000 });
  await page.waitForTimeout(2500); // at least one more queue poll (every 2 s) after the shot finished
  // A finished shot is finished everywhere: not left in the queue as rendering, and the list holding it is not "no shots yet".
  const queued = await page.$$eval("#queue tbody tr", (rows, k) => rows.map((r) => r.textContent).filter((t) => t.includes(k)), key);
  if (queued.length) throw new Error("the queue still shows the completed shot: " + queued.join(" | "));
  const note = await page.textContent("#shots-note");
  if (note.includes("no shots yet")) throw new Error("the shot list holds a shot but says: " + note);

  await page.click(card);
  await page.waitForFunction(() => { const v = document.getElementById("video"); return v && v.readyState >= 2 && v.duration > 0; }, null, { timeout: 60000 });
  // The player loops the clip (two seconds here) from whenever it became playable, so a reading of currentTime lands
  // anywhere in the loop: play it from the start and pause it once it has advanced, so that neither this check nor the
  // reading below depends on where in the loop the page happens to be when the test looks.
  await page.evaluate(async () => { const v = document.getElementById("video"); v.currentTime = 0; await v.play(); });
  await page.waitForFunction(() => { const v = document.getElementById("video"); if (v.currentTime <= 0.5) return false; v.pause(); return true; },
    null, { timeout: 30000, polling: 50 });
  await page.waitForSelector("#echo svg", { timeout: 30000 });
  await page.waitForSelector("#echo ul.echo-repairs", { state: "attached", timeout: 30000 });
  const echo = await page.evaluate(() => document.getElementById("echo").textContent);
  await page.waitForSelector("#timeline li", { timeout: 30000 });
  // Chunk and stage events carry no time: they show a dash, not the epoch (12:00:00 AM); the timed ones show their time.
  const times = await page.$$eval("#timeline time", (ts) => ({ epoch: new Date(0).toLocaleTimeString(), texts: ts.map((t) => t.textContent) }));
  if (times.texts.some((t) => t === times.epoch || t === "Invalid Date")) throw new Error("an untimed event shows a made-up time: " + times.texts.join(", "));
  if (!times.texts.includes("–") || times.texts.every((t) => t === "–")) throw new Error("expected timed events and dashed untimed ones: " + times.texts.join(", "));
  const video = await page.evaluate(() => { const v = document.getElementById("video"); return { readyState: v.readyState, currentTime: v.currentTime, duration: v.duration, width: v.videoWidth, height: v.videoHeight }; });
  await page.screenshot({ path: shot("dashboard-completed.png"), fullPage: true });
  const live = await page.textContent("#live");
  console.log(JSON.stringify({ key, video, live, echo, bars: await page.locator(".bar[role=progressbar]").count() }));
} finally {
  await browser.close();
}
