import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DomainError } from '../errors/domain-error';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to (A and AAAA). Injectable so tests need no outside DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

/** The operating system's resolver (getaddrinfo), as Node's own connections use it. */
export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const IPV4_PUBLIC = 'unicast';
// 2000::/3 is the only block IANA allocates global unicast addresses from; ipaddr.js names the
// special blocks inside it (documentation, benchmarking, ORCHID, AS112, AMT, SRv6...).
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function fromHex32(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The non-public IPv4 block `ip` is in, or null when public. */
function ipv4Range(ip: ipaddr.IPv4): string | null {
  const range = ip.range();
  return range === IPV4_PUBLIC ? null : range;
}

/** An embedded IPv4 address is judged as itself: 64:ff9b::7f00:1 is loopback. */
function embedded(kind: string, v4: ipaddr.IPv4): string | null {
  const inner = ipv4Range(v4);
  return inner === null ? null : `${kind}(${inner})`;
}

function ipv6Range(ip: ipaddr.IPv6): string | null {
  const p = ip.parts;
  const range = ip.range();
  if (range === 'ipv4Mapped') return embedded(range, ip.toIPv4Address());
  if (range === 'rfc6052') {
    // 64:ff9b:1::/48 is for local use only; 64:ff9b::/96 carries the IPv4 address in its last 32 bits.
    const wellKnown = p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0;
    return wellKnown ? embedded('nat64', fromHex32(p[6]!, p[7]!)) : range;
  }
  if (range === '6to4') return embedded(range, fromHex32(p[1]!, p[2]!));
  if (range === 'teredo') {
    // The Teredo server's address, then the client's (stored inverted).
    return embedded(range, fromHex32(p[2]!, p[3]!)) ?? embedded(range, fromHex32(~p[6]! & 0xffff, ~p[7]! & 0xffff));
  }
  // Every other block ipaddr.js names is special-purpose: its name says why it is refused.
  if (range !== 'unicast') return range;
  if (p.slice(0, 6).every((x) => x === 0)) {
    // ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 are named before this).
    return embedded('ipv4Compatible', fromHex32(p[6]!, p[7]!));
  }
  return ip.match(GLOBAL_UNICAST_V6) ? null : 'reserved';
}

/**
 * The name of the non-public block an IP address is in, or null when it is a public unicast
 * address. Refused: every block of the IANA IPv4 and IPv6 special-purpose registries (loopback,
 * private, link-local, CGNAT, benchmarking, documentation, reserved, AS112, AMT, ORCHID, discard,
 * ULA, site-local...), multicast, broadcast, unspecified, and IPv6 outside 2000::/3. Addresses that
 * embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by the IPv4 inside.
 */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv4' ? ipv4Range(ip as ipaddr.IPv4) : ipv6Range(ip as ipaddr.IPv6);
}

// Names that never resolve to a public address (RFC 6761, RFC 8375, cloud metadata names).
const PRIVATE_NAME = /(^|\.)(localhost|local|internal|home\.arpa|localdomain)$/;

/** Why a webhook's address may not be used; the detail is for the server log only. */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

/** The URL's host as a bare name or address: no IPv6 brackets, no trailing dot, lower case. */
function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * Where webhooks may go. In production (WEBHOOK_ALLOW_PRIVATE_TARGETS off, which production
 * enforces) only to public HTTPS addresses: every address the host resolves to must be public,
 * checked when a subscription is registered and again at each delivery, whose connection is then
 * pinned to the addresses checked (no second DNS look-up that a rebinding name could answer
 * differently). Development and tests may deliver to local receivers, still through the same
 * resolver and pinning.
 */
@Injectable()
export class WebhookTargets {
  readonly allowPrivate: boolean;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(HOST_RESOLVER) private readonly resolver: HostResolver,
  ) {
    this.allowPrivate = config.webhookAllowPrivateTargets;
  }

  /** At registration: a 400 naming `url` unless deliveries to it would be allowed. */
  async assertAllowed(raw: string): Promise<void> {
    if (this.allowPrivate) return;
    try {
      await this.resolve(new URL(raw));
    } catch (err) {
      if (!(err instanceof WebhookTargetRefused) && !(err instanceof TypeError)) throw err;
      throw DomainError.validation([{ field: 'url', message: 'url must be a public https:// address' }]);
    }
  }

  /**
   * At delivery: the addresses to connect to, every one checked. Throws WebhookTargetRefused
   * (also when the name does not resolve).
   */
  async resolve(url: URL): Promise<ResolvedAddress[]> {
    if (!this.allowPrivate && url.protocol !== 'https:')
      throw new WebhookTargetRefused(`${url.protocol} is not https:`);
    const host = hostOf(url);
    const literal = isIP(host);
    let addresses: ResolvedAddress[];
    if (literal) {
      addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    } else {
      if (!this.allowPrivate && PRIVATE_NAME.test(host)) throw new WebhookTargetRefused(`${host} is a local name`);
      try {
        addresses = await this.resolver(host);
      } catch (err) {
        throw new WebhookTargetRefused(`${host} does not resolve: ${(err as { code?: string }).code ?? String(err)}`);
      }
      if (addresses.length === 0) throw new WebhookTargetRefused(`${host} does not resolve`);
    }
    if (!this.allowPrivate) {
      for (const { address } of addresses) {
        const range = nonPublicRange(address);
        if (range !== null) throw new WebhookTargetRefused(`${host} resolves to ${address} (${range})`);
      }
    }
    return addresses;
  }
}

/**
 * A `lookup` for http(s).request that answers with the addresses already checked, never asking
 * DNS again: what was checked is what is connected to. TLS still verifies the certificate against
 * the host name in the URL (and sends it as SNI).
 */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    const first = usable[0];
    if (first === undefined) {
      const err: NodeJS.ErrnoException = new Error(`no checked address of ${hostname} for family ${family}`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, first.address, first.family);
    }
  };
}
