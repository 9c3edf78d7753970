// A claimed answer's lease: shown as time left by the server's clock (clock.js measures the offset, so
// a laptop set wrong changes nothing) and renewed before it runs out while the marker is at work. A
// marker who walked away is not renewed for: the answer goes back to the queue for someone else.
import * as api from './api.js';
import { Clock } from './clock.js';

/** How long before a renewal is tried again after a failed one (network down, server busy). */
const RETRY_MS = 2000;

export class Lease {
  /**
   * `task` as the claim returned it; `observed` the last server time seen (`[server, sent, received]`);
   * `onTick(seconds)` every tick, `onLost(reason)` once when the lease is gone.
   */
  constructor(task, observed, { onTick, onLost }) {
    this.id = task.id;
    this.fence = task.fence;
    this.length = Math.max(1, (Date.parse(task.lease_expires_at) - Date.parse(task.server_time)) / 1000);
    this.onLost = onLost;
    this.lost = false;
    this.active = false;
    this.renewing = false;
    this.lastTry = 0;
    this.clock = new Clock({
      onTick: (seconds) => {
        onTick(seconds);
        this.maybeRenew(seconds);
      },
      onWarn() {},
      onZero: () => this.lose('expired'),
    });
    if (observed) this.clock.observe(...observed);
    this.clock.setDeadline(task.lease_expires_at);
  }

  /** Starts showing and keeping the lease. */
  start() {
    this.clock.start();
  }

  /** The marker did something on the page: the lease is worth keeping. */
  touch() {
    this.active = true;
  }

  /** A response carried the server's time. */
  observe(server, sent, received) {
    this.clock.observe(server, sent, received);
  }

  /** Stops keeping the lease (scored, skipped or left). */
  stop() {
    this.clock.stop();
    this.lost = true;
  }

  /** The lease is gone: say so once. */
  lose(reason) {
    if (this.lost) return;
    this.stop();
    this.onLost(reason);
  }

  /** Renews once half the lease has run, if the marker was at work since the last renewal. */
  async maybeRenew(seconds) {
    if (this.lost || this.renewing || !this.active || seconds > this.length / 2) return;
    if (Date.now() - this.lastTry < RETRY_MS) return;
    this.renewing = true;
    this.lastTry = Date.now();
    try {
      const renewed = await api.renew(this.id, this.fence);
      if (!this.lost) {
        this.clock.setDeadline(renewed.lease_expires_at);
        this.active = false;
      }
    } catch (error) {
      if (error.code === 'lease_lost' || error.status === 404) this.lose('taken');
      // Anything else (network, 5xx) is tried again shortly; the clock says when it is too late.
    } finally {
      this.renewing = false;
    }
  }
}
