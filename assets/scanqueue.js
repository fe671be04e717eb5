// The phone's queue of patrol scans (IndexedDB, so it survives closing the app), shared by the pages and the
// service worker. Every scan is queued with a unique id and the phone's time, then sent by ScanState.sync, which
// answers with the ids it recorded; only those leave the queue, so a scan is never lost and the server records
// each id once however often it is sent.
(function (scope) {
  var DB = "estate-scans";
  var STORE = "queue";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "uid" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function inStore(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function newUid() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function add(code) {
    var item = { uid: newUid(), code: String(code).slice(0, 2048), at: new Date().toISOString() };
    return inStore("readwrite", function (store) { return store.put(item); }).then(function () { return item; });
  }

  function pending() {
    return inStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
    });
  }

  function ack(uids) {
    return inStore("readwrite", function (store) {
      uids.forEach(function (uid) { store.delete(uid); });
    }).then(showCount);
  }

  function showCount() {
    if (!scope.document) return Promise.resolve();
    return pending().then(function (items) {
      document.querySelectorAll("[data-scan-queue]").forEach(function (element) {
        element.textContent = String(items.length);
        var box = element.closest("[data-scan-queue-box]");
        if (box) box.style.display = items.length ? "" : "none";
      });
    });
  }

  // Ask the page to send the queue (its hidden #scan-sync button runs ScanState.sync once connected).
  function send() {
    var button = scope.document && document.getElementById("scan-sync");
    if (button) button.click();
  }

  // The in-app scanner's onScan: queue the first code read, then send.
  function capture(codes) {
    var code = codes && codes[0] && codes[0].rawValue;
    if (!code) return Promise.resolve();
    return add(code).then(showCount).then(send);
  }

  scope.estateScans = { add: add, pending: pending, ack: ack, capture: capture, send: send, showCount: showCount };

  if (scope.document) {
    scope.addEventListener("online", send);
    new MutationObserver(function () {
      if (document.querySelector("[data-scan-queue]:empty")) showCount();
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
})(self);
