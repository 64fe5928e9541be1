/**
 * End to end: the built-in web view in headless Chromium (Debian `chromium` + playwright-core)
 * against the bridge on a running embedded stack. The page must draw the map, robot and scan,
 * a click must send a goal the planner plans to, and the path must appear. The screenshot is
 * saved as test-artifacts/view.png. Without Chromium this test fails (CI installs it).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ViewServer } from "../../ros/bridge/view-server";
import { startBridgeStack, type BridgeStack } from "./stack";

jest.setTimeout(90000);

const CHROMIUM = process.env.KESTREL_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "..", "..", "test-artifacts");

interface ViewState {
  connected: boolean;
  error: string;
  drawn: { map: number; robot: number; scan: number; path: number; goal: number; image: number };
  plan?: { points: Array<[number, number]> };
  goal?: { x: number; y: number };
  publishedGoals: number;
  topics: string[];
}

describe("web view in headless Chromium", () => {
  let stack: BridgeStack | undefined;
  let view: ViewServer | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await view?.close();
    await stack?.close();
  });

  it("draws map, robot and scan, sends a clicked goal, and shows the planned path", async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: install the Debian package 'chromium' (apt-get install chromium), or set KESTREL_CHROMIUM`);
    }
    stack = await startBridgeStack({ realTimeFactor: 2 });
    view = await ViewServer.start({ bridgeUrl: stack.bridge.url, port: 0 });
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage({ viewport: { width: 1140, height: 640 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(view.url);
    const state = (): Promise<ViewState> => page.evaluate(() => (globalThis as unknown as { __kestrelView: ViewState }).__kestrelView);

    await page.waitForFunction(
      () => {
        const s = (globalThis as unknown as { __kestrelView?: ViewState }).__kestrelView;
        return !!s && s.drawn.map > 0 && s.drawn.robot > 0 && s.drawn.scan > 0 && s.drawn.image > 0;
      },
      undefined,
      { timeout: 30000 },
    );
    const before = await state();
    expect(before.connected).toBe(true);
    expect(before.error).toBe("");
    expect(before.topics).toEqual(expect.arrayContaining(["/scan", "/costmap", "/camera/image_raw"]));

    // Click the office's first room (map frame), where the planner can reach.
    const point = await page.evaluate(() => (globalThis as unknown as { __kestrelView: { pagePointFor(f: string, x: number, y: number): { x: number; y: number } } }).__kestrelView.pagePointFor("map", 2.0, 3.0));
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(
      () => {
        const s = (globalThis as unknown as { __kestrelView: ViewState }).__kestrelView;
        if (s.publishedGoals < 1 || !s.plan || s.plan.points.length < 2 || !s.goal || s.drawn.path === 0) return false;
        const [x, y] = s.plan.points[s.plan.points.length - 1]!;
        return Math.hypot(x - s.goal.x, y - s.goal.y) < 0.5;
      },
      undefined,
      { timeout: 30000 },
    );
    await page.waitForTimeout(300); // let the next frame draw the path
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "view.png") });
    const after = await state();
    expect(after.drawn.path).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
