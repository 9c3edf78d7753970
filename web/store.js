// The browser's storage, read and written as JSON. Storage can be full or switched off (private
// windows, policies): then the page still works, it only forgets on reload.
//
// `store` lasts (localStorage: the room's queue and token, the language); `tabStore` lasts as long as
// the tab (sessionStorage: the marking desk's staff token, which must not outlive the tab nor be shared
// with other tabs of the browser).

function over(pick) {
  return {
    /** The value stored under `key`, or `null`. */
    get(key) {
      try {
        const raw = pick().getItem(key);
        return raw === null ? null : JSON.parse(raw);
      } catch {
        return null;
      }
    },
    /** Stores `value` under `key`; false when the browser refused. */
    set(key, value) {
      try {
        pick().setItem(key, JSON.stringify(value));
        return true;
      } catch {
        return false;
      }
    },
    /** Forgets `key`. */
    remove(key) {
      try {
        pick().removeItem(key);
      } catch {
        // Nothing to forget where storage is off.
      }
    },
  };
}

/** Storage that outlives the tab. */
export const store = over(() => window.localStorage);
/** Storage for this tab only. */
export const tabStore = over(() => window.sessionStorage);
