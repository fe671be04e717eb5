// Ticks every element with data-deadline (an ISO instant from the server) once a second, on the phone only.
// The server's clock is the reference: data-server-now gives the server time at render, so a wrong phone
// clock shifts nothing. It writes only what changed, so its own updates do not re-trigger it.
// Overdue elements get data-overdue="1" (styled red) and count up.
(function () {
  // Server time minus phone time. Each render stamp arrives late by its delivery delay, which only makes a
  // sample smaller, so the largest sample seen is the best estimate; it never moves the display backwards.
  let offset = null;
  const seen = new WeakMap();
  function pad(n) { return String(n).padStart(2, "0"); }
  function label(seconds, lang) {
    const s = Math.abs(seconds);
    const days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600);
    const minutes = Math.floor((s % 3600) / 60), secs = s % 60;
    let text;
    if (days > 0) text = lang === "en" ? `${days}d ${hours}h` : `${days}天${hours}小时`;
    else if (hours > 0) text = `${hours}:${pad(minutes)}:${pad(secs)}`;
    else text = `${minutes}:${pad(secs)}`;
    if (seconds >= 0) return text;
    return (lang === "en" ? "overdue " : "超时 ") + text;
  }
  function tick() {
    const lang = (localStorage.getItem("estate_lang") || "zh").replace(/"/g, "");
    document.querySelectorAll("[data-deadline]").forEach((el) => {
      const deadline = Date.parse(el.dataset.deadline);
      if (Number.isNaN(deadline)) return;
      if (seen.get(el) !== el.dataset.serverNow) {
        seen.set(el, el.dataset.serverNow);
        const sample = Date.parse(el.dataset.serverNow) - Date.now();
        if (!Number.isNaN(sample) && (offset === null || sample > offset)) offset = sample;
      }
      const seconds = Math.floor((deadline - (Date.now() + (offset ?? 0))) / 1000);
      const text = label(seconds, lang), overdue = seconds < 0 ? "1" : "0";
      if (el.textContent !== text) el.textContent = text;
      if (el.dataset.overdue !== overdue) el.dataset.overdue = overdue;
    });
  }
  setInterval(tick, 1000);
  new MutationObserver(tick).observe(document.documentElement, { childList: true, subtree: true });
})();
