let cached: Promise<ReadonlySet<string>> | undefined;

/**
 * The names and addresses of this machine (`os.hostname()`, its first label, and every interface
 * address, IPv6 in brackets), in lower case. A fetch of any of them reaches the gateway itself,
 * whatever the address looks like from outside. Loaded once, on first use.
 */
export function selfNames(): Promise<ReadonlySet<string>> {
  cached ??= import('node:os').then((os) => {
    const names = new Set<string>();
    const host = os.hostname().toLowerCase().replace(/\.$/, '');
    if (host !== '') {
      names.add(host);
      names.add(host.split('.')[0] as string);
    }
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) {
        const address = a.address.toLowerCase().replace(/%.*$/, '');
        names.add(a.family === 'IPv6' ? `[${address}]` : address);
      }
    }
    return names;
  });
  return cached;
}
