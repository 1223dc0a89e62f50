/** proxy-from-env 2.x ships no types; this is the one function src-main/session/proxy.ts uses. */
declare module 'proxy-from-env' {
  /**
   * The proxy URL for a request to `url` from HTTP(S)_PROXY / ALL_PROXY and NO_PROXY in
   * process.env, or '' for none.
   */
  export function getProxyForUrl(url: string | URL): string;
}
