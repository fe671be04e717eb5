// Registers the service worker and shows the offline banner whenever the device has no connection.
(function () {
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" });
    });
  }
  function showOfflineState() {
    var banner = document.getElementById("offline-banner");
    if (banner) banner.style.display = navigator.onLine ? "none" : "block";
    document.documentElement.toggleAttribute("data-offline", !navigator.onLine);
  }
  window.addEventListener("online", showOfflineState);
  window.addEventListener("offline", showOfflineState);
  new MutationObserver(showOfflineState).observe(document.documentElement, { childList: true, subtree: true });
})();
