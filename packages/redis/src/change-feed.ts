import type { Redis } from 'ioredis';
import { quitWithin } from './connection.js';

const ignore = (): void => undefined;

/**
 * The store's pub/sub connection: one per store, however many keys are watched. Subscriptions
 * are (re)sent on every `ready`, so they survive Redis restarts without an offline queue.
 */
export class ChangeFeed {
  private readonly channels = new Map<string, Set<(message: string) => void>>();

  constructor(private readonly client: Redis) {
    client.on('ready', () => {
      if (this.channels.size > 0) client.subscribe(...this.channels.keys()).catch(ignore);
    });
    client.on('message', (channel: string, message: string) => {
      for (const handler of this.channels.get(channel) ?? []) handler(message);
    });
    // Reachability is reported by the command connection; this one only reconnects.
    client.on('error', ignore);
  }

  listen(channel: string, handler: (message: string) => void): () => void {
    let handlers = this.channels.get(channel);
    if (!handlers) {
      this.channels.set(channel, (handlers = new Set()));
      if (this.client.status === 'ready') this.client.subscribe(channel).catch(ignore);
    }
    handlers.add(handler);
    const mine = handlers;
    return () => {
      mine.delete(handler);
      if (mine.size > 0 || this.channels.get(channel) !== mine) return;
      this.channels.delete(channel);
      if (this.client.status === 'ready') this.client.unsubscribe(channel).catch(ignore);
    };
  }

  close(timeoutMs: number): Promise<void> {
    this.channels.clear();
    return quitWithin(this.client, timeoutMs);
  }
}
