const PER_BLOCK = 250;
const CAPACITY = PER_BLOCK * 240;

/**
 * Hands out loopback addresses (127.0.2.2 to 127.0.241.251) as task private IPs. All
 * of 127.0.0.0/8 reaches this machine on Linux, so each task can listen on
 * its own address and container port, as awsvpc tasks do.
 */
export class IpAllocator {
  private readonly used = new Set<string>();
  /** Each local cloud starts at its own random place, so clouds side by side rarely meet. */
  private next = Math.floor(Math.random() * CAPACITY);

  allocate(): string {
    for (let i = 0; i < CAPACITY; i++) {
      const n = (this.next + i) % CAPACITY;
      const ip = `127.0.${2 + Math.floor(n / PER_BLOCK)}.${2 + (n % PER_BLOCK)}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        this.next = n + 1;
        return ip;
      }
    }
    throw new Error('No loopback address left for a new task');
  }

  release(ip: string): void {
    this.used.delete(ip);
  }
}
