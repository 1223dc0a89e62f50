import { describe, expect, it } from 'vitest';
import { describeProxy, proxyFor } from '../../../src-main/session/proxy.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';

const RELAY = new URL('wss://relay.example.com/v1/client');
const PLAIN = new URL('http://127.0.0.1:8080/v1/enroll');

describe('proxyFor: which proxy a relay connection takes', () => {
  it('"system": HTTPS_PROXY for https and wss, HTTP_PROXY for http, then ALL_PROXY; lower case first', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
    expect(proxyFor('system', RELAY, env)?.href).toBe('http://secure:3128/');
    expect(proxyFor('system', PLAIN, env)?.href).toBe('http://plain:3128/');
    expect(proxyFor('system', RELAY, { ALL_PROXY: 'socks5://all:1080' })?.href).toBe(
      'socks5://all:1080',
    );
    expect(
      proxyFor('system', RELAY, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })
        ?.host,
    ).toBe('lower:1');
    expect(proxyFor('system', RELAY, {})).toBeNull();
  });

  it('honours NO_PROXY under "system": hosts, domains, ports, *; loopback only when named', () => {
    const proxy = { HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'http://p:3128' };
    expect(proxyFor('system', RELAY, { ...proxy, NO_PROXY: 'relay.example.com' })).toBeNull();
    expect(proxyFor('system', RELAY, { ...proxy, NO_PROXY: '.example.com' })).toBeNull();
    expect(proxyFor('system', RELAY, { ...proxy, no_proxy: '*' })).toBeNull();
    expect(
      proxyFor('system', RELAY, { ...proxy, NO_PROXY: 'relay.example.com:8443' }),
    ).not.toBeNull();
    expect(proxyFor('system', PLAIN, proxy)?.host).toBe('p:3128');
    expect(proxyFor('system', PLAIN, { ...proxy, NO_PROXY: 'localhost,127.0.0.1' })).toBeNull();
  });

  it('"none" is direct and a URL is used whatever the environment says', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '*' };
    expect(proxyFor('none', RELAY, env)).toBeNull();
    expect(proxyFor('http://policy:8080', RELAY, env)?.host).toBe('policy:8080');
    expect(proxyFor('socks5://policy:1080', RELAY, {})?.protocol).toBe('socks5:');
  });

  it('refuses a proxy it cannot use, without quoting a password', () => {
    for (const bad of ['ftp://user:pw-123@p:21', 'not a url pw-123']) {
      let caught: unknown;
      try {
        proxyFor('system', RELAY, { HTTPS_PROXY: bad });
      } catch (error) {
        caught = error;
      }
      expect(isPrintoError(caught, 'proxy-invalid')).toBe(true);
      expect((caught as Error).message).not.toContain('pw-123');
    }
  });

  it('names a proxy without its credentials', () => {
    expect(describeProxy(new URL('http://alice:secret@proxy.example.com:3128'))).toBe(
      'http://proxy.example.com:3128',
    );
  });
});
