"use strict";
// One live-updates stream (/api/events) per browser, shared by the dashboard's tabs and windows: the tab
// that holds the Web Lock "sitemon-live" opens the stream and passes each event on over a BroadcastChannel;
// when it closes, another tab takes the lock and the stream over. The server caps streams per user (429),
// so fifteen tabs must not mean fifteen streams. Where the browser has no Web Locks (plain HTTP other than
// localhost is no secure context) or no BroadcastChannel, each tab keeps a stream of its own.
// handlers: { hello(), update(data), logout(), error() }. Returns { close(loggedOut) }.
function sharedLive(handlers) {
  const NAME = "sitemon-live";
  const TYPES = ["hello", "update", "logout"];
  const call = (msg) => { const handler = handlers[msg.type]; if (handler) handler(msg.data); };
  const open = (onMessage) => {
    const source = new EventSource("/api/events");
    for (const type of TYPES) source.addEventListener(type, (e) => onMessage({ type, data: e.data }));
    source.onerror = () => onMessage({ type: "error" });
    return source;
  };
  if (!("BroadcastChannel" in window) || !(navigator.locks && navigator.locks.request)) {
    const own = open(call);
    return { close() { own.close(); } };
  }
  const channel = new BroadcastChannel(NAME);
  let source = null;
  let release = null;
  let closed = false;
  const pass = (msg) => { channel.postMessage(msg); call(msg); };  // the other tabs first: a handler may close
  channel.onmessage = (e) => {
    if (e.data.type === "ask") {  // a tab that just opened wants to know whether the stream is live
      if (source && source.readyState === EventSource.OPEN) channel.postMessage({ type: "hello" });
    } else {
      call(e.data);
    }
  };
  navigator.locks.request(NAME, () => new Promise((resolve) => {
    release = resolve;
    if (closed) { resolve(); return; }
    source = open(pass);
  }));
  channel.postMessage({ type: "ask" });
  return {
    close(loggedOut) {
      closed = true;
      if (loggedOut) channel.postMessage({ type: "logout" });  // the session is every tab's
      if (source) source.close();
      source = null;
      channel.close();
      if (release) release();
    },
  };
}
