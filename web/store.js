// The browser's storage, read and written as JSON. Storage can be full or switched off (private
// windows, policies): then the page still works, it only forgets on reload.
export const store = {
  /** The value stored under `key`, or `null`. */
  get(key) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw === null ? null : JSON.parse(raw);
    } catch {
      return null;
    }
  },
  /** Stores `value` under `key`; false when the browser refused. */
  set(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch {
      return false;
    }
  },
  /** Forgets `key`. */
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // Nothing to forget where storage is off.
    }
  },
};
