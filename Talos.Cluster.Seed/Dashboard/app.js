// Talos dashboard: plain JS, no framework. Reads the seed's API with a bearer token; live over server-sent events
// (GET /api/v1/events, token as ?access_token= since EventSource cannot send headers), polling when no stream is served.
"use strict";
(() => {
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem("talos-token") || "", shots: new Map(), seen: new Map(), selected: null,
                  source: null, timers: [], detailFor: null, reportFor: null, queue: null };

  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  };
  const q = (path) => path + (path.includes("?") ? "&" : "?") + "access_token=" + encodeURIComponent(state.token);

  async function api(path) {
    const r = await fetch(API + path, { headers: { Authorization: "Bearer " + state.token } });
    if (r.status === 401) { logout("the token was refused (401)"); throw new Error("401"); }
    if (!r.ok) { const p = await r.json().catch(() => ({})); const e = new Error(p.detail || r.statusText); e.status = r.status; throw e; }
    return r.json();
  }

  // ---- login ----
  function logout(message) {
    sessionStorage.removeItem("talos-token"); state.token = "";
    if (state.source) state.source.close();
    state.timers.forEach(clearInterval); state.timers = [];
    $("app").hidden = true; $("login").hidden = false; $("logout").hidden = true;
    $("login-error").textContent = message || ""; setLive("offline");
  }
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    state.token = $("token").value.trim();
    try { await api("/shots"); } catch { return; }
    sessionStorage.setItem("talos-token", state.token);
    start();
  });
  $("logout").addEventListener("click", () => logout(""));

  function setLive(mode) { const l = $("live"); l.textContent = mode; l.className = "pill " + mode; }

  // ---- live updates ----
  function start() {
    $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
    refreshShots(); refreshOps();
    state.timers.push(setInterval(refreshOps, 2000));
    try {
      const source = new EventSource(q(API + "/events"));
      state.source = source;
      let opened = false;
      source.addEventListener("open", () => { opened = true; setLive("live"); });
      source.addEventListener("shot", (ev) => { const s = JSON.parse(ev.data); state.shots.set(s.key, s); renderShots(); renderQueue(); });
      source.addEventListener("error", () => {
        if (!opened || source.readyState === EventSource.CLOSED) { source.close(); poll(); }
      });
    } catch { poll(); }
  }
  function poll() {
    if (state.polling) return;
    state.polling = true; setLive("polling");
    state.timers.push(setInterval(refreshShots, 1000));
  }

  async function refreshShots() {
    try {
      const list = await api("/shots");
      state.shots = new Map(list.shots.map((s) => [s.key, s]));
      renderShots(); renderQueue();
    } catch (e) { $("shots-note").textContent = "shots: " + e.message; }
  }

  async function refreshOps() {
    try { renderMembers(await api("/cluster")); $("members-note").textContent = ""; }
    catch (e) { $("members-note").textContent = e.status === 403 ? "needs a token with scope operator" : "cluster: " + e.message; }
    try { state.queue = await api("/queue"); renderQueue(); $("queue-note").textContent = ""; }
    catch (e) { $("queue-note").textContent = e.status === 403 ? "needs a token with scope operator" : "queue: " + e.message; }
  }

  // ---- rendering ----
  const mb = (b) => (b / 1048576).toFixed(0) + " MB";
  function renderMembers(c) {
    const body = $("members").tBodies[0]; body.replaceChildren();
    for (const m of c.members) {
      const load = m.load;
      body.append(el("tr", {}, el("td", { text: m.address + (m.leader ? " ★" : "") }), el("td", { text: m.roles.join(",") || "–" }),
        el("td", {}, el("span", { class: "pill " + (m.reachable ? m.status : "down"), text: m.reachable ? m.status : "unreachable" })),
        el("td", { text: load ? String(Math.max(0, load.shots)) : "?" }), el("td", { text: load ? `${load.chunksBusy}/${load.chunkSlots}` : "?" }),
        el("td", { text: load ? load.cpuPercent.toFixed(0) + "%" : "?" }), el("td", { text: load ? mb(load.workingSetBytes) : "?" })));
    }
  }
  // The queue is polled (every 2 s) while shots arrive live: a row takes its shot's live status and progress, and a
  // shot the live view has seen finish leaves the queue at once instead of lingering as "rendering" until the next poll.
  const TERMINAL = new Set(["completed", "failed", "cancelled"]);
  function renderQueue() {
    if (!state.queue) return;
    const body = $("queue").tBodies[0]; body.replaceChildren();
    const rows = state.queue.shots.map((s) => ({ ...s, ...pick(state.shots.get(s.key)) })).filter((s) => !TERMINAL.has(s.status));
    rows.forEach((s, i) =>
      body.append(el("tr", { "data-key": s.key }, el("td", { text: String(i + 1) }), el("td", { text: s.key }),
        el("td", {}, el("span", { class: "pill " + s.status, text: s.status })), el("td", { text: Math.round(s.progress * 100) + "%" }))));
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: "4", class: "muted", text: "empty: nothing waiting or rendering" })));
  }
  const pick = (live) => (live ? { status: live.status, progress: live.progress } : {});

  function bar(fraction, label, cls) {
    const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    const fill = el("div", { class: "fill" }); fill.style.width = pct + "%";
    return el("div", { class: "bar " + (cls || "") + (pct >= 100 ? " done" : ""), role: "progressbar", "aria-valuemin": "0",
      "aria-valuemax": "100", "aria-valuenow": String(pct) }, fill, el("span", { text: label ?? pct + "%" }));
  }
  function eta(s) {
    if (s.status !== "rendering" || s.progress <= 0) return "";
    const now = Date.now(), first = state.seen.get(s.key);
    if (!first) return "";
    const rate = (s.progress - first.p) / ((now - first.t) / 1000);
    if (rate <= 0) return "";
    const secs = Math.round((1 - s.progress) / rate);
    return "ETA " + (secs >= 60 ? Math.floor(secs / 60) + "m " : "") + (secs % 60) + "s";
  }

  const STAGES = ["prism", "axis", "flux", "chroma", "raygen", "stokes", "anima", "cuttura", "echo"];
  function renderShots() {
    const box = $("shots"); box.replaceChildren();
    $("shots-note").textContent = state.shots.size ? "" : "no shots yet"; // here, not in refreshShots: live events add shots too
    const shots = [...state.shots.values()].sort((a, b) => a.production.localeCompare(b.production) || a.sequence - b.sequence);
    for (const s of shots) {
      if (!state.seen.has(s.key) && s.status === "rendering") state.seen.set(s.key, { t: Date.now(), p: s.progress });
      const stages = el("div", { class: "stages" });
      const names = Object.keys(s.stages).sort((a, b) => STAGES.indexOf(a.toLowerCase()) - STAGES.indexOf(b.toLowerCase()));
      for (const name of names) {
        const st = s.stages[name];
        stages.append(el("div", {}, el("label", { text: `${name} ${st.doneChunks}/${st.totalChunks}` }),
          bar(st.totalChunks ? st.doneChunks / st.totalChunks : 0, "", "stage")));
      }
      const thumb = s.status === "completed"
        ? el("img", { alt: "newest frame of " + s.key, src: q(`${API}/shots/${encodeURIComponent(s.key)}/frames/${s.frameCount - 1}/thumbnail?width=160`) })
        : el("div", { class: "thumb-empty", text: s.status });
      if (thumb.tagName === "IMG") thumb.addEventListener("error", () => thumb.replaceWith(el("div", { class: "thumb-empty", text: "no thumbnail" })));
      const card = el("div", { class: "shot" + (state.selected === s.key ? " selected" : ""), "data-key": s.key, "data-status": s.status },
        thumb,
        el("div", {},
          el("div", { class: "head" }, el("b", { text: s.title || s.id }), el("span", { class: "muted", text: s.key }),
            el("span", { class: "pill " + s.status, text: s.status }), el("span", { class: "muted", text: `${s.frameCount} frames @ ${s.fps} fps` }),
            el("span", { class: "muted eta", text: eta(s) })),
          bar(s.progress, Math.round(s.progress * 100) + "%", "overall"),
          stages,
          s.reason ? el("div", { class: "error", text: s.reason }) : null));
      card.addEventListener("click", () => select(s.key));
      box.append(card);
    }
    if (!state.selected) { const done = shots.find((s) => s.status === "completed"); if (done) select(done.key); }
    else if (state.shots.has(state.selected)) renderDetail(state.shots.get(state.selected));
  }

  function select(key) {
    state.selected = key;
    document.querySelectorAll(".shot").forEach((c) => c.classList.toggle("selected", c.dataset.key === key));
    renderDetail(state.shots.get(key), true);
  }

  async function renderDetail(s, force) {
    if (!s) return;
    $("detail").hidden = false;
    $("detail-key").textContent = s.key;
    const st = $("detail-status"); st.textContent = s.status; st.className = "pill " + s.status;
    const marker = s.key + "|" + s.status + "|" + (s.videoHref || "");
    if (!force && state.detailFor === marker) return;
    state.detailFor = marker;
    const video = $("video");
    if (s.status === "completed" && s.videoHref) {
      const src = q(`${API}/shots/${encodeURIComponent(s.key)}/video`);
      if (video.dataset.key !== s.key) { video.dataset.key = s.key; video.src = src; video.play().catch(() => {}); }
      $("video-note").textContent = "";
    } else { video.removeAttribute("src"); delete video.dataset.key; video.load(); $("video-note").textContent = "the video plays here once the shot is completed"; }
    renderHistory(s.key);
    if (s.reportHash && state.reportFor !== s.key + s.reportHash) { state.reportFor = s.key + s.reportHash; renderReport(s.key); }
    else if (!s.reportHash) { state.reportFor = null; $("echo").replaceChildren(el("p", { class: "muted", text: "ECHO reports once the shot is cut" })); }
  }

  async function renderHistory(key) {
    const list = $("timeline");
    try {
      const h = await api(`/shots/${encodeURIComponent(key)}/history`);
      list.replaceChildren(...h.events.map((e) => {
        const who = e.data && (e.data.by || e.data.who);
        return el("li", { class: e.source === "audit" || who ? "operator" : "" }, when(e.at),
          el("b", { text: e.event.replace(/^talos\./, "").replace(/\.v\d+$/, "") }),
          el("span", { class: "muted", text: " " + e.source + (who ? " · by " + who : "") + summary(e.data) }));
      }));
    } catch (e) { list.replaceChildren(el("li", { class: "muted", text: "history: " + e.message })); }
  }
  // Chunk and stage events carry no time of their own (at: null); they sort after the timed event before them.
  const when = (at) => at ? el("time", { datetime: at, text: new Date(at).toLocaleTimeString() }) : el("time", { class: "untimed", title: "this event carries no time", text: "–" });
  function summary(d) {
    if (!d) return "";
    const parts = [];
    for (const k of ["stage", "chunk", "status", "reason", "priority", "action"]) if (d[k] != null) parts.push(k + " " + d[k]);
    return parts.length ? " · " + parts.join(", ") : "";
  }

  // ECHO's report: each measure against its threshold as a horizontal bar chart, and the frames that failed on a strip.
  async function renderReport(key) {
    const box = $("echo");
    try {
      const doc = await api(`/shots/${encodeURIComponent(key)}/report`);
      const r = doc.report, t = doc.thresholds || {};
      const rows = [
        ["mean luma", r.meanLuma, 1, t.blackLuma, "black below"],
        ["max flicker", r.maxFlicker, Math.max(r.maxFlicker, (t.flickerLimit || 0.05) * 2), t.flickerLimit, "limit"],
        ["black frames", r.blackFrames, Math.max(1, r.frames), 0, ""],
        ["longest frozen run", r.longestFrozenRun, Math.max(r.longestFrozenRun, (t.frozenRun || 12) * 2), t.frozenRun, "limit"],
        ["median warp error", r.medianWarpError || 0, Math.max(r.medianWarpError || 0, (t.boilWarpError || 0.02) * 2), t.boilWarpError, "boil"],
        ["colour flips", r.colourFlipFrames || 0, Math.max(1, r.frames), 0, ""],
        ["popped frames", r.poppedFrames || 0, Math.max(1, r.frames), 0, ""],
        ["screened frames", r.screenedFrames || 0, Math.max(1, r.frames), null, ""],
        ["line stability", r.medianLineStability ?? 1, 1, t.lineStability, "boil below"],
        ["boiling-line frames", r.lineBoilFrames || 0, Math.max(1, r.frames), 0, ""],
      ];
      const W = 360, rowH = 24, left = 120, svgNS = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(svgNS, "svg");
      svg.setAttribute("viewBox", `0 0 ${W} ${rows.length * rowH + 46}`); svg.setAttribute("width", "100%"); svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "ECHO measures against thresholds");
      const add = (tag, attrs, text) => { const n = document.createElementNS(svgNS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); if (text != null) n.textContent = text; svg.append(n); return n; };
      rows.forEach(([label, value, max, limit], i) => {
        const y = i * rowH + 4, w = W - left - 50, x = (v) => left + Math.max(0, Math.min(1, v / (max || 1))) * w;
        add("text", { x: 0, y: y + 13 }, label);
        add("rect", { x: left, y, width: w, height: 16, fill: "#0c1014" });
        const below = label === "mean luma" || label === "line stability";
        add("rect", { x: left, y, width: Math.max(1, x(value) - left), height: 16, fill: limit != null && (below ? label !== "mean luma" && value < limit : value > limit) ? "#e05555" : "#4caf7a" });
        if (limit != null && limit > 0) add("line", { x1: x(limit), x2: x(limit), y1: y - 2, y2: y + 18, stroke: "#e0a43a", "stroke-width": 2 });
        add("text", { x: left + w + 6, y: y + 13 }, typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : String(value));
      });
      const sy = rows.length * rowH + 12, sw = W - left - 50;
      add("text", { x: 0, y: sy + 12 }, "failing frames");
      add("rect", { x: left, y: sy, width: sw, height: 16, fill: "#0c1014" });
      for (const f of r.failingFrames || []) add("rect", { x: left + (f / Math.max(1, r.frames)) * sw, y: sy, width: Math.max(1, sw / Math.max(1, r.frames)), height: 16, fill: "#e05555" });
      add("text", { x: left + sw + 6, y: sy + 12 }, `${(r.failingFrames || []).length}/${r.frames}`);
      // per frame, one strip each: the warping error (bar height, against the boil limit) with the frames the pre-screen
      // passed on (amber); ResNet-18's distance to the next frame (against the shot's typical one, dashed; popped frames
      // red); the line stability against the next frame (the boil limit dashed; under it red)
      const pf = doc.perFrame || [], ph = 40;
      let py = sy + 28;
      const strip = (label, value, max, limit, colour, mark) => {
        add("text", { x: 0, y: py + 24 }, label);
        add("rect", { x: left, y: py, width: sw, height: ph, fill: "#0c1014" });
        pf.forEach(f => {
          const x = left + (f.frame / Math.max(1, pf.length)) * sw, bw = Math.max(1, sw / pf.length), v = value(f);
          if (mark && mark(f)) add("rect", { x, y: py + ph - 3, width: bw, height: 3, fill: "#e0a43a" });
          if (v != null) { const h = Math.min(1, v / (max || 1)) * (ph - 4); add("rect", { x, y: py + ph - 4 - h, width: bw, height: Math.max(0.5, h), fill: colour(f, v) }); }
        });
        if (limit != null) { const ly = py + ph - 4 - Math.min(1, limit / (max || 1)) * (ph - 4); add("line", { x1: left, x2: left + sw, y1: ly, y2: ly, stroke: "#e0a43a", "stroke-dasharray": "3 2" }); }
        py += ph + 8;
      };
      if (pf.length) {
        const maxW = Math.max((t.boilWarpError || 0.02), ...pf.map(f => f.warpError || 0));
        strip("warp error / frame", f => f.warpError, maxW, null, () => "#5b9bd5", f => f.screened);
        const popped = new Set((r.defects || []).filter(d => d.kind === "pop").map(d => d.frame));
        if (pf.some(f => f.deepDistance != null)) {
          const maxD = Math.max((r.typicalDeepDistance || 0) * (t.deepPopRatio || 2.5) * 1.5, ...pf.map(f => f.deepDistance || 0));
          strip("deep distance / frame", f => f.deepDistance, maxD, r.typicalDeepDistance, f => popped.has(f.frame) || popped.has(f.frame + 1) ? "#e05555" : "#9b7bd5", f => f.screened);
        } else add("text", { x: 0, y: (py += 16) - 4 }, "deep distance: " + (doc.deepFeatures || "off"));
        if (pf.some(f => f.lineStability != null))
          strip("line stability / frame", f => f.lineStability, 1, t.lineStability, (f, v) => v < (t.lineStability || 0) ? "#e05555" : "#4caf7a");
        svg.setAttribute("viewBox", `0 0 ${W} ${py}`);
      }
      // what ECHO repaired (each with the finding it answered) and what it suspects but did not repair
      const repairs = (r.fixes || []).filter(f => f.kind === "repaint-from-neighbours" || f.kind === "reinbetween");
      const findingOf = (frame) => (r.defects || []).filter(d => d.frame === frame).map(d => d.kind + ": " + d.detail).join("; ");
      const list = el("ul", { class: "echo-repairs" }, ...repairs.map(f => el("li", { text: `frame ${f.frame}: ${f.kind} — ${findingOf(f.frame)}` })),
        ...(r.suspects || []).map(d => el("li", { class: "muted", text: `frame ${d.frame}: suspected ${d.kind}, not repaired — ${d.detail}` })));
      box.replaceChildren(el("p", {}, el("span", { class: "pill " + (r.passed ? "completed" : "failed"), text: r.passed ? "passed" : "failed" }),
        el("span", { class: "muted", text: " " + (r.findings || []).join("; ") })), svg,
        el("p", { class: "muted", text: `${repairs.length} repaired frame${repairs.length === 1 ? "" : "s"}, ${(r.suspects || []).length} suspected` }), list);
    } catch (e) { box.replaceChildren(el("p", { class: "muted", text: "report: " + e.message })); }
  }

  if (state.token) api("/shots").then(start, () => {});
})();
