// The phone's queue of patrol scans (IndexedDB, so it survives closing the app), shared by the pages and the
// service worker. Every scan is queued with a unique id and the phone's time, then sent by ScanState.sync, which
// answers with the ids it recorded; only those leave the queue, so a scan is never lost and the server records
// each id once however often it is sent.
(function (scope) {
  var DB = "estate-scans";
  var STORE = "queue";
  var META = "meta";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 2);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "uid" });
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function inStore(mode, work, name) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name || STORE, mode);
        var request = work(transaction.objectStore(name || STORE));
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

  // The guard whose scans are queued from now on (an opaque name from the server): a shared duty phone sends
  // each guard's scans only for that guard.
  function setOwner(owner) {
    return inStore("readwrite", function (store) { return store.put(owner, "owner"); }, META);
  }

  function add(code) {
    var at = new Date().toISOString();
    return inStore("readonly", function (store) { return store.get("owner"); }, META).then(function (owner) {
      var item = { uid: newUid(), code: String(code).slice(0, 2048), at: at, owner: owner || null };
      return inStore("readwrite", function (store) { return store.put(item); }).then(function () { return item; });
    });
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

  // The in-app scanner's onScan: queue the first code read, then send. The scanner reports a code for as long as
  // it is in view; the same code counts again only after REPEAT_MS (time to walk away and come back).
  var REPEAT_MS = 15000;
  var last = { code: null, at: 0 };

  function capture(codes) {
    var code = codes && codes[0] && codes[0].rawValue;
    var now = Date.now();
    if (!code || (code === last.code && now - last.at < REPEAT_MS)) return Promise.resolve();
    last = { code: code, at: now };
    return add(code).then(showCount).then(send);
  }

  // A checkpoint's URL opened in the browser (the phone's own camera) is queued for `owner` (the guard logged in)
  // like a scan from the in-app scanner. Reloading the page, or coming back to it through history, sends the
  // same item again instead of a new one, so the server answers it again and records it once. Resolves to what
  // waits in the queue (with that item), for ScanState.sync.
  var opened = {};

  function openCheckpoint(owner) {
    var url = scope.location.href;
    var key = "estate-checkpoint:" + url;
    var navigation = performance.getEntriesByType("navigation")[0];
    var again = (opened[url] || (navigation && navigation.type !== "navigate")) && sessionStorage.getItem(key);
    opened[url] = true;
    return setOwner(owner).then(function () {
      if (again) return JSON.parse(again);
      return add(url).then(function (item) { sessionStorage.setItem(key, JSON.stringify(item)); return item; });
    }).then(function (item) {
      return pending().then(function (items) {
        return items.some(function (queued) { return queued.uid === item.uid; }) ? items : items.concat([item]);
      });
    });
  }

  scope.estateScans = {
    add: add, pending: pending, ack: ack, capture: capture, send: send, showCount: showCount, setOwner: setOwner,
    openCheckpoint: openCheckpoint,
  };

  if (scope.document) {
    scope.addEventListener("online", send);
    new MutationObserver(function () {
      if (document.querySelector("[data-scan-queue]:empty")) showCount();
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
})(self);
