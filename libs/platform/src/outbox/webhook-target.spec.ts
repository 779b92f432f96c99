import type { LookupAddress } from 'node:dns';
import { loadConfig } from '../config/config';
import { DomainError } from '../errors/domain-error';
import {
  type HostResolver,
  nonPublicRange,
  pinnedLookup,
  type ResolvedAddress,
  WebhookTargetRefused,
  WebhookTargets,
} from './webhook-target';

describe('nonPublicRange', () => {
  // Every block of the IANA special-purpose registries (IPv4 and IPv6), multicast, and the forms
  // that embed an IPv4 address, each judged by that address.
  it.each([
    // IPv4
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.9', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['192.31.196.1', 'as112'],
    ['192.52.193.1', 'amt'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.10', 'private'],
    ['192.175.48.1', 'as112'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.7', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
    ['::ffff:7f00:1', 'ipv4Mapped(loopback)'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
    ['::ffff:10.0.0.1', 'ipv4Mapped(private)'],
    // ::a.b.c.d in hex, as URLs normalise it (ipaddr.js reads the dotted form as mapped: refused too).
    ['::7f00:1', 'ipv4Compatible(loopback)'],
    ['::a00:1', 'ipv4Compatible(private)'],
    ['::127.0.0.1', 'ipv4Mapped(loopback)'],
    ['::ffff:0:7f00:1', 'rfc6145'],
    ['64:ff9b::7f00:1', 'nat64(loopback)'],
    ['64:ff9b::a9fe:a9fe', 'nat64(linkLocal)'],
    ['64:ff9b:1::808:808', 'rfc6052'],
    ['100::1', 'discard'],
    ['2001::1', 'teredo(unspecified)'],
    ['2001:0:7f00:1::ffff:ffff', 'teredo(loopback)'],
    ['2001:0:808:808::f5ff:fffe', 'teredo(private)'],
    ['2001:1::1', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['2001:3::1', 'amt'],
    ['2001:4:112::1', 'as112v6'],
    ['2001:10::1', 'deprecatedOrchid'],
    ['2001:20::1', 'orchid2'],
    ['2001:db8::1', 'reserved'],
    ['2002:7f00:1::1', '6to4(loopback)'],
    ['2002:c0a8:101::1', '6to4(private)'],
    ['2620:4f:8000::1', 'as112v6'],
    ['3fff::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['5f00::1', 'segmentRouting'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['not an address', 'invalid'],
  ])('refuses %s (%s)', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4009:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    // Teredo: server 8.8.8.8, client 1.1.1.1 (stored inverted).
    '2001:0:808:808::fefe:fefe',
  ])('accepts the public address %s', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });
});

describe('WebhookTargets', () => {
  const production = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/app',
    JWT_SECRET: 'x'.repeat(40),
    DATA_ENCRYPTION_KEY: 'ab'.repeat(32),
  });
  const dns: Record<string, ResolvedAddress[]> = {
    'hooks.partner.example': [{ address: '93.184.216.34', family: 4 }],
    'dual.partner.example': [
      { address: '2606:4700:4700::1111', family: 6 },
      { address: '93.184.216.34', family: 4 },
    ],
    'localtest.me': [{ address: '127.0.0.1', family: 4 }],
    'mixed.partner.example': [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ],
    'mapped.partner.example': [{ address: '::ffff:169.254.169.254', family: 6 }],
  };
  const resolver: HostResolver = async (host) => {
    const found = dns[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
  const targets = new WebhookTargets(production, resolver);

  it.each([
    'http://hooks.partner.example/hooks',
    'https://localhost/hook',
    'https://metadata.google.internal/x',
    'https://printer.local/x',
    'https://127.0.0.1:8080/hook',
    'https://2130706433/hook',
    'https://0x7f.1/hook',
    'https://[::ffff:127.0.0.1]:3398/',
    'https://[::ffff:169.254.169.254]/latest/meta-data',
    'https://[::ffff:10.0.0.1]/',
    'https://[::]/',
    'https://[::1]/hook',
    'https://[::127.0.0.1]/hook',
    'https://100.64.0.1/',
    'https://198.18.0.1/',
    'https://[64:ff9b::7f00:1]/',
    'https://224.0.0.1/',
    'https://[ff02::1]/',
    'https://255.255.255.255/',
    'https://[fd12:3456::1]/hook',
    'https://localtest.me/hook',
    'https://mixed.partner.example/hook',
    'https://mapped.partner.example/hook',
    'https://unknown.partner.example/hook',
  ])('refuses to register %s: 400 naming url', async (url) => {
    const thrown: unknown = await targets.assertAllowed(url).then(
      () => null,
      (err: unknown) => err,
    );
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).extensions.errors).toEqual([
      { field: 'url', message: 'url must be a public https:// address' },
    ]);
  });

  it.each(['https://hooks.partner.example/hooks', 'https://dual.partner.example/', 'https://93.184.216.34/hook'])(
    'registers %s',
    async (url) => {
      await expect(targets.assertAllowed(url)).resolves.toBeUndefined();
    },
  );

  it('at delivery gives the addresses checked, and refuses a name that now resolves to a private one', async () => {
    expect(await targets.resolve(new URL('https://dual.partner.example/x'))).toEqual(dns['dual.partner.example']);
    await expect(targets.resolve(new URL('https://localtest.me/x'))).rejects.toThrow(WebhookTargetRefused);
    await expect(targets.resolve(new URL('https://localtest.me/x'))).rejects.toThrow(
      'localtest.me resolves to 127.0.0.1 (loopback)',
    );
  });

  it('outside production reaches local receivers, still through the resolver it was given', async () => {
    const local = new WebhookTargets(loadConfig({ NODE_ENV: 'test' }), resolver);
    await expect(local.assertAllowed('http://127.0.0.1:9000/hook')).resolves.toBeUndefined();
    expect(await local.resolve(new URL('http://localtest.me:9000/hook'))).toEqual([
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(await local.resolve(new URL('http://[::1]:9000/hook'))).toEqual([{ address: '::1', family: 6 }]);
    await expect(local.resolve(new URL('http://unknown.partner.example/'))).rejects.toThrow(WebhookTargetRefused);
  });
});

describe('pinnedLookup', () => {
  const checked: ResolvedAddress[] = [
    { address: '2606:4700:4700::1111', family: 6 },
    { address: '93.184.216.34', family: 4 },
  ];
  const call = (options: Parameters<ReturnType<typeof pinnedLookup>>[1]) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
      pinnedLookup(checked)('hooks.partner.example', options, (err, address, family) =>
        resolve({ err, address, family }),
      ),
    );

  it('answers with the checked addresses only, in each form Node asks for', async () => {
    expect(await call({ all: true })).toEqual({ err: null, address: checked, family: undefined });
    expect(await call({})).toEqual({ err: null, address: '2606:4700:4700::1111', family: 6 });
    expect(await call({ family: 4 })).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await call({ family: 'IPv4', all: true })).toEqual({ err: null, address: [checked[1]], family: undefined });
  });

  it('never falls back to DNS when no checked address has the family asked for', async () => {
    const only4 = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      pinnedLookup([checked[1]!])('hooks.partner.example', { family: 6 }, (err) => resolve(err)),
    );
    expect(only4?.code).toBe('ENOTFOUND');
  });
});
