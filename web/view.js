// Kestrel's built-in view: a Foxglove WebSocket protocol client (foxglove.websocket.v1) that
// decodes the CDR the bridge streams with the ros2msg schemas it advertises (cdr.js) and draws
// the costmap, robot, scan, plan, goal, camera with boxes, safety/planner status and a learning
// curve. Clicking the map publishes a geometry_msgs/PoseStamped on /goal_pose (frame odom).
// window.__kestrelView exposes the page's state for tests.
import { parseSchema, decode, encode } from "./cdr.js";

const POSE_STAMPED_SCHEMA = `std_msgs/Header header
geometry_msgs/Pose pose
================================================================================
MSG: std_msgs/Header
builtin_interfaces/Time stamp
string frame_id
================================================================================
MSG: builtin_interfaces/Time
int32 sec
uint32 nanosec
================================================================================
MSG: geometry_msgs/Pose
Point position
Quaternion orientation
================================================================================
MSG: geometry_msgs/Point
float64 x
float64 y
float64 z
================================================================================
MSG: geometry_msgs/Quaternion
float64 x 0
float64 y 0
float64 z 0
float64 w 1`;

const WANTED = new Set([
  "/costmap", "/map", "/odom", "/tf", "/tf_static", "/scan", "/plan", "/goal_pose", "/camera/image_raw",
  "/detections", "/ground_truth/boxes", "/safety/status", "/planner/status",
]);
const isCurveTopic = (topic) => /learn|curve|reward/i.test(topic);
const SAFETY = ["OK", "SLOWDOWN", "STOP"];
const PLANNER = ["IDLE", "PLANNING", "FOLLOWING", "NO_PATH", "REACHED"];
const FOOTPRINT_RADIUS_M = 0.105;

const state = {
  connected: false,
  error: "",
  topics: [],
  drawn: { map: 0, robot: 0, scan: 0, path: 0, goal: 0, image: 0 },
  received: {},
  robot: undefined, // {x, y, yaw} in odom
  plan: undefined, // {frame, points: [[x,y]...]} in odom
  goal: undefined, // {x, y} in odom
  safety: undefined,
  planner: undefined,
  clockNs: 0n,
  publishedGoals: 0,
  statusMessages: [],
  curve: [],
  footprintRadius: FOOTPRINT_RADIUS_M,
  /** Page coordinates of a point given in frame odom or map, for tests that click the map. */
  pagePointFor(frame, x, y) {
    const p = frame === "map" ? mapToOdom(x, y) : { x, y };
    const c = toCanvas(p.x, p.y);
    const r = mapCanvas.getBoundingClientRect();
    return { x: r.left + c.x, y: r.top + c.y };
  },
};
window.__kestrelView = state;

const mapCanvas = document.getElementById("map");
const mapCtx = mapCanvas.getContext("2d");
const camCanvas = document.getElementById("camera");
const camCtx = camCanvas.getContext("2d");
const curveCanvas = document.getElementById("curve");
const curveCtx = curveCanvas.getContext("2d");

let costmap; // {res, width, height, ox, oy, image: canvas, bounds}
let scan; // {points: [[x,y]] in laser frame, frame}
let mapToOdomTf = { x: 0, y: 0, yaw: 0 }; // pose of odom in map
const staticTf = new Map(); // child -> {parent, x, y, yaw}
let view = { cx: 0, cy: 0, s: 40 };
let image, detections = [], groundTruth = [];
let curveTopic;

const yawOf = (q) => Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
function mapToOdom(x, y) {
  // odom = inverse(map->odom) * p
  const dx = x - mapToOdomTf.x, dy = y - mapToOdomTf.y, c = Math.cos(-mapToOdomTf.yaw), s = Math.sin(-mapToOdomTf.yaw);
  return { x: c * dx - s * dy, y: s * dx + c * dy };
}
function toOdom(frame, x, y) {
  const f = (frame || "odom").replace(/^\//, "");
  return f === "map" ? mapToOdom(x, y) : { x, y };
}
function toCanvas(x, y) {
  return { x: mapCanvas.width / 2 + (x - view.cx) * view.s, y: mapCanvas.height / 2 - (y - view.cy) * view.s };
}
function fromCanvas(px, py) {
  return { x: view.cx + (px - mapCanvas.width / 2) / view.s, y: view.cy - (py - mapCanvas.height / 2) / view.s };
}

// ---- connection ----------------------------------------------------------------------------
const channels = new Map(); // id -> {topic, schemaName, schema}
const subscriptions = new Map(); // subId -> channel
let ws, nextSubId = 1, goalChannelId, serverCanPublish = false;

async function connect() {
  const params = new URLSearchParams(location.search);
  let url = params.get("bridge");
  if (!url) url = (await (await fetch("config.json")).json()).bridgeUrl;
  state.bridgeUrl = url;
  ws = new WebSocket(url, ["foxglove.websocket.v1"]);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { state.connected = true; setConn(`connected to ${url}`); };
  ws.onclose = () => { state.connected = false; setConn(`disconnected from ${url}; retrying`); setTimeout(connect, 1000); };
  ws.onerror = () => { state.error = `cannot reach ${url}`; };
  ws.onmessage = (event) => (typeof event.data === "string" ? onJson(JSON.parse(event.data)) : onBinary(new DataView(event.data)));
}
function setConn(text) { document.getElementById("conn").textContent = `(${text})`; }
function send(obj) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); }

function onJson(msg) {
  switch (msg.op) {
    case "serverInfo":
      channels.clear(); subscriptions.clear(); goalChannelId = undefined;
      serverCanPublish = msg.capabilities.includes("clientPublish");
      if (serverCanPublish) {
        goalChannelId = 1;
        send({ op: "advertise", channels: [{ id: goalChannelId, topic: "/goal_pose", encoding: "cdr", schemaName: "geometry_msgs/msg/PoseStamped", schemaEncoding: "ros2msg", schema: POSE_STAMPED_SCHEMA }] });
      }
      if (msg.capabilities.includes("parameters")) send({ op: "getParameters", parameterNames: ["/controller.footprint_radius"], id: "footprint" });
      break;
    case "advertise": {
      const subs = [];
      for (const ch of msg.channels) {
        if (ch.encoding !== "cdr") continue;
        let schema;
        try { schema = parseSchema(ch.schemaName, ch.schema); } catch (e) { state.error = `${ch.topic}: ${e.message}`; continue; }
        channels.set(ch.id, { ...ch, parsed: schema });
        if (WANTED.has(ch.topic) || (isCurveTopic(ch.topic) && !curveTopic)) {
          if (isCurveTopic(ch.topic)) curveTopic = ch.topic;
          const id = nextSubId++;
          subscriptions.set(id, channels.get(ch.id));
          subs.push({ id, channelId: ch.id });
        }
      }
      state.topics = [...channels.values()].map((c) => c.topic).sort();
      if (subs.length) send({ op: "subscribe", subscriptions: subs });
      break;
    }
    case "unadvertise":
      for (const id of msg.channelIds) {
        channels.delete(id);
        for (const [sid, ch] of subscriptions) if (ch.id === id) subscriptions.delete(sid);
      }
      break;
    case "parameterValues":
      for (const p of msg.parameters) if (p.name === "/controller.footprint_radius" && typeof p.value === "number") state.footprintRadius = p.value;
      break;
    case "status":
      state.statusMessages.push(msg.message);
      if (state.statusMessages.length > 20) state.statusMessages.shift();
      break;
  }
}

function onBinary(view) {
  const op = view.getUint8(0);
  if (op === 2) { state.clockNs = view.getBigUint64(1, true); return; }
  if (op !== 1) return;
  const sub = subscriptions.get(view.getUint32(1, true));
  if (!sub) return;
  let msg;
  try {
    msg = decode(sub.parsed, new Uint8Array(view.buffer, view.byteOffset + 13, view.byteLength - 13));
  } catch (e) {
    state.error = `${sub.topic}: ${e.message}`;
    return;
  }
  state.received[sub.topic] = (state.received[sub.topic] ?? 0) + 1;
  onMessage(sub.topic, msg);
}

function onMessage(topic, msg) {
  switch (topic) {
    case "/costmap": case "/map": if (topic === "/costmap" || !costmap) renderCostmap(msg); break;
    case "/odom": {
      const p = toOdom(msg.header.frame_id, msg.pose.pose.position.x, msg.pose.pose.position.y);
      state.robot = { x: p.x, y: p.y, yaw: yawOf(msg.pose.pose.orientation) };
      break;
    }
    case "/tf": case "/tf_static":
      for (const t of msg.transforms) {
        const parent = t.header.frame_id.replace(/^\//, ""), child = t.child_frame_id.replace(/^\//, "");
        const tf = { parent, x: t.transform.translation.x, y: t.transform.translation.y, yaw: yawOf(t.transform.rotation) };
        if (topic === "/tf_static") staticTf.set(child, tf);
        if (parent === "map" && child === "odom") mapToOdomTf = tf;
        if (parent === "odom" && child === "base_link" && !state.received["/odom"]) state.robot = { x: tf.x, y: tf.y, yaw: tf.yaw };
      }
      break;
    case "/scan": {
      const points = [];
      for (let i = 0; i < msg.ranges.length; i++) {
        const r = msg.ranges[i];
        if (!(r >= msg.range_min && r <= msg.range_max)) continue;
        const a = msg.angle_min + i * msg.angle_increment;
        points.push([r * Math.cos(a), r * Math.sin(a)]);
      }
      scan = { points, frame: msg.header.frame_id.replace(/^\//, "") };
      break;
    }
    case "/plan":
      state.plan = { frame: msg.header.frame_id, points: msg.poses.map((p) => { const q = toOdom(msg.header.frame_id, p.pose.position.x, p.pose.position.y); return [q.x, q.y]; }) };
      break;
    case "/goal_pose": {
      const g = toOdom(msg.header.frame_id, msg.pose.position.x, msg.pose.position.y);
      state.goal = g;
      break;
    }
    case "/camera/image_raw": image = msg; drawCamera(); break;
    case "/detections": detections = msg.detections; drawCamera(); break;
    case "/ground_truth/boxes": groundTruth = msg.boxes; drawCamera(); break;
    case "/safety/status":
      state.safety = { state: SAFETY[msg.state] ?? String(msg.state), reason: msg.reason, speed_scale: msg.speed_scale, source: msg.source };
      break;
    case "/planner/status":
      state.planner = { status: PLANNER[msg.status] ?? String(msg.status), message: msg.message, path_length_m: msg.path_length_m };
      break;
    default:
      if (topic === curveTopic) addCurvePoint(msg);
  }
}

// ---- drawing -------------------------------------------------------------------------------
function renderCostmap(msg) {
  const { width, height, resolution } = msg.info;
  const off = document.createElement("canvas");
  off.width = width; off.height = height;
  const ctx = off.getContext("2d");
  const img = ctx.createImageData(width, height);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const v = msg.data[j * width + i];
      const o = ((height - 1 - j) * width + i) * 4; // image row 0 is the grid's top (largest y)
      let r, g, b;
      if (v < 0) { r = g = b = 60; }
      else if (v === 0) { r = g = b = 235; }
      else if (v >= 99) { r = g = b = 20; if (i < minX) minX = i; if (i > maxX) maxX = i; if (j < minY) minY = j; if (j > maxY) maxY = j; }
      else { const t = v / 100; r = 235 - 120 * t; g = 235 - 170 * t; b = 255 - 40 * t; }
      img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  const origin = toOdom(msg.header.frame_id, msg.info.origin.position.x, msg.info.origin.position.y);
  costmap = { res: resolution, width, height, ox: origin.x, oy: origin.y, image: off };
  if (maxX >= minX) costmap.bounds = { x0: origin.x + minX * resolution, y0: origin.y + minY * resolution, x1: origin.x + (maxX + 1) * resolution, y1: origin.y + (maxY + 1) * resolution };
  else costmap.bounds = undefined;
}

function fitView() {
  let b = costmap?.bounds ? { ...costmap.bounds } : undefined;
  const include = (x, y, m) => {
    if (!b) b = { x0: x - m, y0: y - m, x1: x + m, y1: y + m };
    else { b.x0 = Math.min(b.x0, x - m); b.y0 = Math.min(b.y0, y - m); b.x1 = Math.max(b.x1, x + m); b.y1 = Math.max(b.y1, y + m); }
  };
  if (state.robot) include(state.robot.x, state.robot.y, 3);
  if (!b) return;
  const margin = 1;
  const w = b.x1 - b.x0 + 2 * margin, h = b.y1 - b.y0 + 2 * margin;
  view = { cx: (b.x0 + b.x1) / 2, cy: (b.y0 + b.y1) / 2, s: Math.min(mapCanvas.width / w, mapCanvas.height / h) };
}

function drawMap() {
  fitView();
  const ctx = mapCtx;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "#2a2f36";
  ctx.fillRect(0, 0, mapCanvas.width, mapCanvas.height);
  if (costmap) {
    const o = toCanvas(costmap.ox, costmap.oy + costmap.height * costmap.res);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(costmap.image, o.x, o.y, costmap.width * costmap.res * view.s, costmap.height * costmap.res * view.s);
    state.drawn.map++;
  }
  // scan, in the laser frame placed on the robot through the static base_link->laser transform
  if (scan && state.robot) {
    const laser = staticTf.get(scan.frame) ?? { x: 0, y: 0, yaw: 0 };
    const r = state.robot;
    const lx = r.x + Math.cos(r.yaw) * laser.x - Math.sin(r.yaw) * laser.y, ly = r.y + Math.sin(r.yaw) * laser.x + Math.cos(r.yaw) * laser.y;
    const yaw = r.yaw + laser.yaw, c = Math.cos(yaw), s = Math.sin(yaw);
    ctx.fillStyle = "#ff3b6b";
    for (const [px, py] of scan.points) {
      const p = toCanvas(lx + c * px - s * py, ly + s * px + c * py);
      ctx.fillRect(p.x - 1.5, p.y - 1.5, 3, 3);
    }
    if (scan.points.length) state.drawn.scan++;
  }
  if (state.plan && state.plan.points.length > 0) {
    ctx.strokeStyle = "#2e8bff"; ctx.lineWidth = 3; ctx.beginPath();
    state.plan.points.forEach(([x, y], i) => { const p = toCanvas(x, y); i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y); });
    ctx.stroke();
    state.drawn.path++;
  }
  if (state.goal) {
    const p = toCanvas(state.goal.x, state.goal.y);
    ctx.strokeStyle = "#1bb34a"; ctx.lineWidth = 3;
    ctx.beginPath(); ctx.arc(p.x, p.y, 8, 0, 2 * Math.PI); ctx.moveTo(p.x - 12, p.y); ctx.lineTo(p.x + 12, p.y); ctx.moveTo(p.x, p.y - 12); ctx.lineTo(p.x, p.y + 12); ctx.stroke();
    state.drawn.goal++;
  }
  if (state.robot) {
    const r = state.robot, p = toCanvas(r.x, r.y), rad = Math.max(4, state.footprintRadius * view.s);
    ctx.fillStyle = "rgba(255, 170, 0, 0.55)"; ctx.strokeStyle = "#ffaa00"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(p.x, p.y, rad, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.lineTo(p.x + Math.cos(r.yaw) * rad * 1.8, p.y - Math.sin(r.yaw) * rad * 1.8); ctx.strokeStyle = "#000"; ctx.stroke();
    state.drawn.robot++;
  }
  // a scale bar
  ctx.fillStyle = "#dde"; ctx.fillRect(12, mapCanvas.height - 14, view.s, 3);
  ctx.font = "11px sans-serif"; ctx.fillText("1 m", 12, mapCanvas.height - 18);
}

function drawCamera() {
  if (!image) return;
  const { width, height, encoding, step, data } = image;
  if (camCanvas.width !== width || camCanvas.height !== height) { camCanvas.width = width; camCanvas.height = height; }
  const img = camCtx.createImageData(width, height);
  const ch = encoding === "mono8" ? 1 : encoding === "rgba8" || encoding === "bgra8" ? 4 : 3;
  const bgr = encoding.startsWith("bgr");
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * step + x * ch, o = (y * width + x) * 4;
      if (ch === 1) { img.data[o] = img.data[o + 1] = img.data[o + 2] = data[i]; }
      else { img.data[o] = data[bgr ? i + 2 : i]; img.data[o + 1] = data[i + 1]; img.data[o + 2] = data[bgr ? i : i + 2]; }
      img.data[o + 3] = 255;
    }
  }
  camCtx.putImageData(img, 0, 0);
  const box = (b, color, label) => {
    const cx = b.center.position.x, cy = b.center.position.y;
    camCtx.strokeStyle = color; camCtx.lineWidth = 2;
    camCtx.strokeRect(cx - b.size_x / 2, cy - b.size_y / 2, b.size_x, b.size_y);
    camCtx.fillStyle = color; camCtx.font = "11px sans-serif";
    camCtx.fillText(label, cx - b.size_x / 2 + 2, cy - b.size_y / 2 - 3);
  };
  camCtx.setLineDash([4, 3]);
  for (const g of groundTruth) box(g.bbox, "#3f3", `${g.class_name} ${g.distance_m.toFixed(1)} m`);
  camCtx.setLineDash([]);
  for (const d of detections) {
    const best = d.results.reduce((a, r) => (!a || r.hypothesis.score > a.hypothesis.score ? r : a), undefined);
    box(d.bbox, "#f33", best ? `${best.hypothesis.class_id} ${(best.hypothesis.score * 100).toFixed(0)}%` : "?");
  }
  state.drawn.image++;
}

function addCurvePoint(msg) {
  const names = ["value", "data", "reward", "mean_reward", "return", "success_rate", "score", "loss"];
  let y = names.map((n) => msg[n]).find((v) => typeof v === "number");
  if (y === undefined) y = Object.values(msg).find((v) => typeof v === "number");
  if (y === undefined) return;
  state.curve.push(y);
  if (state.curve.length > 500) state.curve.shift();
}

function drawCurve() {
  const ctx = curveCtx, w = curveCanvas.width, h = curveCanvas.height;
  ctx.fillStyle = "#2a2f36"; ctx.fillRect(0, 0, w, h);
  document.getElementById("curveTopic").textContent = curveTopic ? `(${curveTopic})` : "(no learning topic yet)";
  if (state.curve.length < 2) return;
  const min = Math.min(...state.curve), max = Math.max(...state.curve), span = max - min || 1;
  ctx.strokeStyle = "#7cf"; ctx.lineWidth = 2; ctx.beginPath();
  state.curve.forEach((v, i) => { const x = (i / (state.curve.length - 1)) * (w - 10) + 5, y = h - 5 - ((v - min) / span) * (h - 10); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
  ctx.stroke();
  ctx.fillStyle = "#dde"; ctx.font = "11px sans-serif"; ctx.fillText(`${max.toPrecision(3)}`, 4, 12); ctx.fillText(`${min.toPrecision(3)}`, 4, h - 4);
}

function drawStatus() {
  const s = state.safety, p = state.planner;
  const safety = document.getElementById("safety");
  safety.textContent = s ? `safety: ${s.state}  x${Number(s.speed_scale).toFixed(2)}  ${s.source}${s.reason ? ` — ${s.reason}` : ""}` : "safety: —";
  safety.className = s ? s.state : "";
  document.getElementById("planner").textContent = p ? `planner: ${p.status}  ${p.path_length_m.toFixed(2)} m${p.message ? ` — ${p.message}` : ""}` : "planner: —";
  document.getElementById("clock").textContent = `sim time: ${(Number(state.clockNs) / 1e9).toFixed(2)} s`;
}

setInterval(() => { drawMap(); drawCurve(); drawStatus(); }, 100);

// ---- goals ---------------------------------------------------------------------------------
mapCanvas.addEventListener("click", (event) => {
  const r = mapCanvas.getBoundingClientRect();
  const w = fromCanvas(event.clientX - r.left, event.clientY - r.top);
  if (goalChannelId === undefined) { state.error = "the bridge does not accept client publishing"; return; }
  const sec = Number(state.clockNs / 1000000000n), nanosec = Number(state.clockNs % 1000000000n);
  const yaw = state.robot ? Math.atan2(w.y - state.robot.y, w.x - state.robot.x) : 0;
  const msg = { header: { stamp: { sec, nanosec }, frame_id: "odom" }, pose: { position: { x: w.x, y: w.y, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) } } };
  const payload = encode(goalSchema, msg);
  const frame = new Uint8Array(5 + payload.length);
  frame[0] = 1;
  new DataView(frame.buffer).setUint32(1, goalChannelId, true);
  frame.set(payload, 5);
  ws.send(frame);
  state.goal = { x: w.x, y: w.y };
  state.publishedGoals++;
});
const goalSchema = parseSchema("geometry_msgs/msg/PoseStamped", POSE_STAMPED_SCHEMA);

connect().catch((e) => { state.error = String(e); setConn(String(e)); });
