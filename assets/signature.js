// A finger signature pad on <canvas id="signature-pad">: window.estateSignature.clear() and .dataUrl()
// ("" while nothing has been drawn).
(function () {
  let drawn = false;
  function pad() { return document.getElementById("signature-pad"); }
  function point(canvas, event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  }
  document.addEventListener("pointerdown", (event) => {
    const canvas = pad();
    if (!canvas || event.target !== canvas) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    ctx.beginPath(); ctx.moveTo(...point(canvas, event));
    const move = (e) => { ctx.lineTo(...point(canvas, e)); ctx.stroke(); drawn = true; };
    const up = () => { canvas.removeEventListener("pointermove", move); canvas.removeEventListener("pointerup", up); };
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", up);
  });
  window.estateSignature = {
    clear() { const c = pad(); if (c) c.getContext("2d").clearRect(0, 0, c.width, c.height); drawn = false; },
    dataUrl() { const c = pad(); return c && drawn ? c.toDataURL("image/png") : ""; },
  };
})();
