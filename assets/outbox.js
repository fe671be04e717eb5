// The phone's one offline outbox for every field action (a patrol scan, a cleaning tick with its photos, a scan of
// an area's code, an inspection …), shared by the pages and the service worker. IndexedDB keeps it through reloads
// and closed apps. Each action is {uid, kind, payload, phone_time, owner}; photos are compressed here (canvas →
// JPEG, at most MAX_SIDE px and MAX_BYTES) before they are queued, uploaded over HTTP (/outbox/photo, with the
// ticket of the last sync answer) just before their action is sent, and the action then names them. The page's
// hidden #outbox-sync button sends what is ready to OutboxState.sync, which answers with the uids it recorded;
// only those leave the queue, so nothing is lost and the server records each uid once however often it is sent.
(function (scope) {
  var DB = "estate-outbox";
  var STORE = "actions";
  var META = "meta";
  var OLD_DB = "estate-scans";
  var MAX_SIDE = 1280;
  var MAX_BYTES = 900 * 1024;
  var PHOTO_URL = "/outbox/photo";
  var PHOTOS_PER_FIELD = 3;
  var PHOTOS_PER_FORM = 12;
  var ticket = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
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

  function owner() {
    return inStore("readonly", function (store) { return store.get("owner"); }, META);
  }

  // The person whose actions are queued from now on (an opaque name from the server): a shared duty phone sends
  // each person's actions only for that person.
  function setOwner(name) {
    return inStore("readwrite", function (store) { return store.put(name, "owner"); }, META).then(showCount);
  }

  // Queue one action; `photos` (optional) are image Blobs/Files, or {file, field} for a photo of one field of a
  // form (its camera input's name), compressed first, uploaded to `folder` later; `about` (optional) names what it
  // is about on screen (data-outbox-about), shown as waiting until it is sent.
  function add(kind, payload, photos, folder, about) {
    var at = new Date().toISOString();
    var taken = (photos || []).map(function (photo) { return photo instanceof Blob ? { file: photo } : photo; });
    return Promise.all(taken.map(function (photo) {
      return compress(photo.file).catch(function () { return null; });  // unreadable: the action goes without it
    })).then(function (blobs) {
      return owner().then(function (who) {
        var item = { uid: newUid(), kind: String(kind), payload: payload || {}, phone_time: at, owner: who || null,
          photos: blobs.map(function (blob, i) { return { blob: blob, name: null, field: taken[i].field || null }; })
            .filter(function (photo) { return photo.blob; }),
          folder: folder || null, about: about || null };
        return inStore("readwrite", function (store) { return store.put(item); }).then(function () { return item; });
      });
    }).then(function (item) { showCount(); return item; });
  }

  // A photo as a JPEG no larger than MAX_SIDE px and MAX_BYTES (lower quality, then smaller, until it fits).
  function compress(file) {
    if (!scope.document) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      function attempt(side, quality) {
        var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); }).then(function (blob) {
          if (blob.size <= MAX_BYTES || side < 320) return blob;
          return quality > 0.55 ? attempt(side, quality - 0.15) : attempt(Math.round(side * 0.75), quality);
        });
      }
      return attempt(MAX_SIDE, 0.82);
    });
  }

  function all() {
    return inStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.phone_time < b.phone_time ? -1 : a.phone_time > b.phone_time ? 1 : 0; });
    });
  }

  function mine() {
    return Promise.all([all(), owner()]).then(function (both) {
      return both[0].filter(function (item) { return !item.owner || !both[1] || item.owner === both[1]; });
    });
  }

  function unsent(item) {
    return (item.photos || []).some(function (photo) { return !photo.name && !photo.refused; });
  }

  // Upload the photos of one action that are not yet on the server, keeping each name as soon as it is known.
  function upload(item) {
    var chain = Promise.resolve(true);
    item.photos.forEach(function (photo) {
      chain = chain.then(function (ok) {
        if (!ok || photo.name || photo.refused) return ok;
        return fetch(PHOTO_URL + "?folder=" + encodeURIComponent(item.folder || ""), {
          method: "POST", body: photo.blob, headers: { "X-Outbox-Ticket": ticket, "Content-Type": "image/jpeg" },
        }).then(function (response) {
          return response.json().then(function (answer) {
            if (response.ok && answer.name) {
              photo.name = answer.name;
              photo.blob = null;
              return inStore("readwrite", function (store) { return store.put(item); }).then(function () { return true; });
            }
            if (response.status === 413 || response.status === 400) {  // refused for good: the action goes without
              photo.name = "";
              photo.refused = true;
              return inStore("readwrite", function (store) { return store.put(item); }).then(function () { return true; });
            }
            ticket = null;  // expired or refused ticket: the next sync answer brings a new one
            return false;
          });
        }).catch(function () { return false; });
      });
    });
    return chain;
  }

  // An action as sent: its payload names its uploaded photos, all of them under `photos` and a form field's also
  // under the field's name (a photo queued before photos had fields has none).
  function wire(item) {
    var payload = Object.assign({}, item.payload);
    if (item.photos && item.photos.length) {
      payload.photos = [];
      item.photos.forEach(function (photo) {
        if (photo.field && !payload[photo.field]) payload[photo.field] = [];
        if (!photo.name) return;
        payload.photos.push(photo.name);
        if (photo.field) payload[photo.field].push(photo.name);
      });
    }
    return { uid: item.uid, kind: item.kind, payload: payload, phone_time: item.phone_time, owner: item.owner };
  }

  // An action handed to the server is not handed again until the server answers a sync (or IN_FLIGHT_MS passes:
  // the answer was lost): two triggers close together (the connection's return and the page's own claim) send
  // it once, and no late second answer lands on a screen that has moved on.
  var IN_FLIGHT_MS = 20000;
  var inFlight = {};
  var retryTimer = null;

  function notInFlight(items) {
    var now = Date.now();
    var fresh = items.filter(function (item) { return !(inFlight[item.uid] > now - IN_FLIGHT_MS); });
    if (fresh.length < items.length && !retryTimer) {
      retryTimer = setTimeout(function () { retryTimer = null; send(); }, IN_FLIGHT_MS);
    }
    fresh.forEach(function (item) { inFlight[item.uid] = now; });
    return fresh;
  }

  // What the page sends to OutboxState.sync: the actions ready to go (their photos uploaded first when a ticket
  // is known) and not already on their way; [] when only photos wait for a ticket or everything is on its way;
  // null when nothing of this person's waits.
  function pending() {
    return mine().then(function (items) {
      if (!items.length) return null;
      var uploads = ticket ? items.filter(unsent).map(upload) : [];
      return Promise.all(uploads).then(function () {
        return notInFlight(items.filter(function (item) { return !unsent(item); })).map(wire);
      });
    });
  }

  var more = false;

  function ack(uids, newTicket) {
    inFlight = {};  // the server has answered: what it did not take may go again at the next trigger
    var hadTicket = !!ticket;
    if (newTicket) ticket = newTicket;
    return inStore("readwrite", function (store) {
      (uids || []).forEach(function (uid) { store.delete(uid); });
    }).then(showCount).then(mine).then(function (items) {
      // Send again at once when the answer let more go: photos can now be uploaded, or a batch was cut short.
      var photosWaiting = items.some(unsent) && ticket && !hadTicket;
      if (items.length && ((uids && uids.length) || photosWaiting) && !more) {
        more = true;
        setTimeout(function () { more = false; send(); }, 0);
      }
    });
  }

  // How many actions wait, shown on every field screen. The count is kept here and painted onto the page
  // (the number, an attribute on <html>, and each notice's own display, set !important) whenever it changes and
  // whenever the page re-renders, so no re-render, hydration or offline reload can hide work that waits.
  var lastCount = 0;
  var waitingAbout = {};

  function paint() {
    if (!scope.document) return;
    var text = String(lastCount);
    document.querySelectorAll("[data-outbox-count]").forEach(function (element) {
      if (element.textContent !== text) element.textContent = text;
    });
    if (document.documentElement.hasAttribute("data-outbox-waiting") !== lastCount > 0) {
      document.documentElement.toggleAttribute("data-outbox-waiting", lastCount > 0);
    }
    document.querySelectorAll("[data-outbox-about]").forEach(function (element) {
      var waiting = !!waitingAbout[element.getAttribute("data-outbox-about")];
      if (element.hasAttribute("data-outbox-queued") !== waiting) element.toggleAttribute("data-outbox-queued", waiting);
    });
    document.querySelectorAll("[data-outbox-box]").forEach(function (box) {
      var display = lastCount ? "block" : "none";
      if (box.style.getPropertyValue("display") !== display) box.style.setProperty("display", display, "important");
    });
  }

  function showCount() {
    if (!scope.document) return Promise.resolve();
    return all().then(function (items) {
      lastCount = items.length;
      waitingAbout = {};
      items.forEach(function (item) { if (item.about) waitingAbout[item.about] = true; });
      paint();
    });
  }

  // Ask the page to send the queue (its hidden #outbox-sync button runs OutboxState.sync once connected).
  function send() {
    var button = scope.document && document.getElementById("outbox-sync");
    if (button) button.click();
  }

  // A scanner's onScan: queue the first code read as `kind`, then send. The scanner reports a code for as long as
  // it is in view; the same code counts again only after REPEAT_MS (time to walk away and come back).
  var REPEAT_MS = 15000;
  var last = { code: null, at: 0 };

  function capture(codes, kind) {
    var code = codes && codes[0] && codes[0].rawValue;
    var now = Date.now();
    if (!code || (code === last.code && now - last.at < REPEAT_MS)) return Promise.resolve();
    last = { code: code, at: now };
    return add(kind || "scan", { code: String(code).slice(0, 2048) }).then(send);
  }

  // A checkpoint's URL opened in the browser (the phone's own camera) is queued for `who` (the guard logged in)
  // like a scan from the in-app scanner. Reloading the page, or coming back to it through history, sends the
  // same item again instead of a new one, so the server answers it again and records it once. Resolves to what
  // waits in the queue (with that item), for OutboxState.sync.
  var opened = {};

  function openCheckpoint(who) {
    var url = scope.location.href;
    var key = "estate-checkpoint:" + url;
    var navigation = performance.getEntriesByType("navigation")[0];
    var again = (opened[url] || (navigation && navigation.type !== "navigate")) && sessionStorage.getItem(key);
    opened[url] = true;
    return setOwner(who).then(function () {
      if (again) return JSON.parse(again);
      return add("scan", { code: url }).then(function (item) { sessionStorage.setItem(key, JSON.stringify(item)); return item; });
    }).then(function (item) {
      return pending().then(function (items) {
        items = items || [];
        return items.some(function (queued) { return queued.uid === item.uid; }) ? items : items.concat([wire(item)]);
      });
    });
  }

  // A field action on screen: a button (or a camera input, with its photos) carrying data-outbox-kind queues that
  // action in one tap, with or without a connection; data-outbox-task names the task it is about. These are plain
  // DOM listeners, not app events, so they work while the app cannot reach the server.
  function queueFrom(element, files) {
    var payload = {};
    if (element.dataset.outboxTask) payload.task_id = Number(element.dataset.outboxTask);
    return add(element.dataset.outboxKind, payload, files, element.dataset.outboxFolder, element.dataset.outboxAbout)
      .then(send);
  }

  function onTap(event) {
    var button = event.target.closest && event.target.closest("button[data-outbox-kind]");
    if (!button || button.disabled) return;
    button.disabled = true;  // a double tap queues one action (the same task ticked twice is recorded once anyway)
    setTimeout(function () { button.disabled = false; }, 3000);
    queueFrom(button, []);
  }

  function onPhotos(event) {
    var input = event.target;
    if (!input.matches) return;
    if (input.matches("form[data-outbox-kind] input[type=file]")) { showChosen(input); return; }
    if (!input.matches("input[type=file][data-outbox-kind]")) return;
    var files = Array.prototype.slice.call(input.files || [], 0, PHOTOS_PER_FIELD);
    input.value = "";
    if (files.length) queueFrom(input, files);
  }

  // A form's camera input shows on its label how many photos it will queue.
  function showChosen(input) {
    var label = input.closest("label");
    var count = Math.min((input.files || []).length, PHOTOS_PER_FIELD);
    if (label && count) label.setAttribute("data-outbox-photos", String(count));
    else if (label) label.removeAttribute("data-outbox-photos");
  }

  // A form carrying data-outbox-kind (an inspection) queues its fields as one action in one tap, with or without
  // a connection: the payload is {field name: value} (ticked radios and checkboxes only), its photos the files of
  // its camera inputs, each photo with its input's name (at most PHOTOS_PER_FIELD each, PHOTOS_PER_FORM in all;
  // a form kept on the phone from before photos belonged to items has one input, "photos", whose photos have no
  // field). The server's handler for the kind reads and checks the fields.
  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-outbox-kind]")) return;
    event.preventDefault();
    var payload = {};
    var photos = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) return;
      if (field.type === "file") {
        Array.prototype.slice.call(field.files || [], 0, PHOTOS_PER_FIELD).forEach(function (file) {
          photos.push({ file: file, field: field.name === "photos" ? null : field.name });
        });
        return;
      }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      payload[field.name] = String(field.value).slice(0, 500);
    });
    form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
    return add(form.dataset.outboxKind, payload, photos.slice(0, PHOTOS_PER_FORM), form.dataset.outboxFolder,
      form.dataset.outboxAbout)
      .then(function () {
        form.reset();
        form.querySelectorAll("input[type=file]").forEach(showChosen);
        var details = form.closest("details");
        if (details) details.open = false;
        form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = false; });
      }).then(send);
  }

  // Screens kept for offline use: the element marked data-outbox-keep="name" (the person's list of today, live
  // from the server) is kept on the phone for the outbox's owner whenever it changes; after an offline reload the
  // page shows its placeholder data-outbox-kept="name" (the server has not answered), filled here with that copy.
  // Its tick buttons, camera inputs and forms queue actions like the live ones (the listeners above).
  var kept = {};
  var keepTimer = null;

  function keepScreens() {
    keepTimer = null;
    var screens = document.querySelectorAll("[data-outbox-keep]");
    if (!screens.length) return;
    owner().then(function (who) {
      if (!who) return;
      screens.forEach(function (screen) {
        var name = screen.getAttribute("data-outbox-keep");
        var html = screen.innerHTML.replace(/ data-outbox-photos="\d+"/g, "");  // the chosen files are not kept
        if (kept[name] === html) return;
        kept[name] = html;
        inStore("readwrite", function (store) { return store.put({ owner: who, html: html }, "screen:" + name); }, META);
      });
    });
  }

  function restoreScreens() {
    document.querySelectorAll("[data-outbox-kept]:not([data-outbox-restoring])").forEach(function (placeholder) {
      placeholder.setAttribute("data-outbox-restoring", "");
      var name = placeholder.getAttribute("data-outbox-kept");
      Promise.all([owner(), inStore("readonly", function (store) { return store.get("screen:" + name); }, META)])
        .then(function (both) {
          var copy = both[1];
          if (copy && copy.owner && copy.owner === both[0] && placeholder.isConnected) {
            placeholder.innerHTML = copy.html;
            placeholder.setAttribute("data-outbox-restored", "");
          }
        });
    });
  }

  function onChange() {
    paint();
    if (!scope.document) return;
    restoreScreens();
    if (!keepTimer && document.querySelector("[data-outbox-keep]")) keepTimer = setTimeout(keepScreens, 500);
  }

  // Scans queued by the earlier scan-only queue (estate-scans) move into the outbox once.
  function adoptOldQueue() {
    if (!scope.indexedDB || !indexedDB.databases) return Promise.resolve();
    return indexedDB.databases().then(function (names) {
      if (!names.some(function (db) { return db.name === OLD_DB; })) return;
      return new Promise(function (resolve) {
        var request = indexedDB.open(OLD_DB);
        request.onsuccess = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("queue")) { db.close(); indexedDB.deleteDatabase(OLD_DB); resolve(); return; }
          var read = db.transaction("queue", "readonly").objectStore("queue").getAll();
          read.onsuccess = function () {
            db.close();
            var moved = read.result.map(function (old) {
              return { uid: old.uid, kind: "scan", payload: { code: old.code }, phone_time: old.at, owner: old.owner || null,
                photos: [], folder: null };
            });
            inStore("readwrite", function (store) { moved.forEach(function (item) { store.put(item); }); })
              .then(function () { indexedDB.deleteDatabase(OLD_DB); resolve(); }, resolve);
          };
          read.onerror = function () { db.close(); resolve(); };
        };
        request.onerror = function () { resolve(); };
      });
    }).catch(function () {});
  }

  scope.estateOutbox = {
    add: add, pending: pending, ack: ack, all: all, capture: capture, send: send, showCount: showCount,
    setOwner: setOwner, openCheckpoint: openCheckpoint, compress: compress,
  };

  if (scope.document) {
    // The notice is shown by this rule, not by the page's own style, so no re-render of the page can hide it.
    var style = document.createElement("style");
    style.textContent = "html[data-outbox-waiting] [data-outbox-box]{display:block !important}" +
      "[data-outbox-kept][data-outbox-restored]~[data-outbox-fallback]{display:none}" +
      "[data-outbox-queued]{opacity:.45;pointer-events:none}label:has(>[data-outbox-queued]){opacity:.45}" +
      "label[data-outbox-photos]::after{content:\"\\2713 \" attr(data-outbox-photos);font-weight:600}";
    document.head.appendChild(style);
    adoptOldQueue().then(showCount);
    scope.addEventListener("online", send);
    document.addEventListener("click", onTap);
    document.addEventListener("change", onPhotos);
    document.addEventListener("submit", onSubmit);
    new MutationObserver(onChange).observe(document.documentElement, { childList: true, subtree: true });
  }
})(self);
