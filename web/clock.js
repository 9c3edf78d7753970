// The exam clock follows the server: it shows `deadline_at` against the server's time. The laptop's
// own clock only measures time passing: the offset between it and the server is measured on every
// response (taking the middle of the round trip), so a laptop set hours wrong changes nothing. It shows
// whole seconds rounded down, so it never shows more time than the server will accept.

const WARNINGS = [300, 60];

export class Clock {
  /** `onTick(seconds)`, `onWarn(threshold)` at 5 and 1 minutes, `onZero()` once at the deadline. */
  constructor({ onTick, onWarn, onZero }) {
    this.onTick = onTick;
    this.onWarn = onWarn;
    this.onZero = onZero;
    this.offset = 0;
    this.deadline = null;
    this.timer = null;
    this.warned = new Set();
    this.zeroed = false;
  }

  /** A response said the server's time was `serverMs`; it left at `sentMs` and came back at `receivedMs`. */
  observe(serverMs, sentMs, receivedMs) {
    if (Number.isFinite(serverMs)) this.offset = serverMs - (sentMs + receivedMs) / 2;
  }

  /** Follows this deadline (RFC 3339). */
  setDeadline(iso) {
    this.deadline = Date.parse(iso);
  }

  /** The server's time now, as far as this page can tell. */
  now() {
    return Date.now() + this.offset;
  }

  /** Whole seconds left, never negative. */
  remaining() {
    if (this.deadline === null) return 0;
    return Math.max(0, Math.floor((this.deadline - this.now()) / 1000));
  }

  /** Ticks four times a second, so the display turns close to the real second. */
  start() {
    this.stop();
    this.timer = setInterval(() => this.tick(), 250);
    this.tick();
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  tick() {
    const left = this.remaining();
    this.onTick(left);
    for (const threshold of WARNINGS) {
      if (left <= threshold && left > 0 && !this.warned.has(threshold)) {
        this.warned.add(threshold);
        // A page opened with 30 s left warns once, with the last threshold.
        if (!WARNINGS.some((w) => w < threshold && left <= w)) this.onWarn(threshold);
      }
    }
    if (left === 0 && !this.zeroed) {
      this.zeroed = true;
      this.stop();
      this.onZero();
    }
  }
}

/** `1:05:09` or `05:09`. */
export function formatRemaining(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
