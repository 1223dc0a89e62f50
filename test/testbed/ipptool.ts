/**
 * IPP queries for the test bed through `ipptool` (cups-ipp-utils), the CUPS project's own client:
 * the test bed must not depend on the IPP client under test in src-main/printers/ipp.
 *
 * `ipptool -j` prints the response as JSON, but only valid JSON for one attribute group without
 * out-of-band values (CUPS 2.4.2 writes `"name",` for no-value and trailing commas after
 * resolutions). So every request here asks for a fixed list of plain attributes of one object.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from './proc.ts';

/** One attribute group as ipptool renders it: single values bare, several values as arrays. */
export type IppGroup = Readonly<Record<string, unknown>>;

export interface IpptoolRequest {
  readonly operation: 'Get-Printer-Attributes' | 'Get-Job-Attributes';
  /** The operation's target attribute; ipptool fills `$uri` from the URI on its command line. */
  readonly target: 'printer-uri' | 'job-uri';
  readonly requested: readonly string[];
  /** The response group to return. */
  readonly group: 'printer-attributes-tag' | 'job-attributes-tag';
}

const KEYWORD = /^[a-z][a-z0-9-]*$/;

export function ipptoolTestFile(request: IpptoolRequest): string {
  for (const name of request.requested) {
    if (!KEYWORD.test(name)) throw new Error(`Not an IPP attribute name: ${JSON.stringify(name)}`);
  }
  return [
    '{',
    `  NAME "${request.operation}"`,
    `  OPERATION ${request.operation}`,
    '  GROUP operation-attributes-tag',
    '  ATTR charset attributes-charset utf-8',
    '  ATTR naturalLanguage attributes-natural-language en',
    `  ATTR uri ${request.target} $uri`,
    '  ATTR name requesting-user-name $user',
    `  ATTR keyword requested-attributes ${request.requested.join(',')}`,
    '  STATUS successful-ok',
    '}',
    '',
  ].join('\n');
}

/** Thrown when the server answered with an IPP error (e.g. client-error-not-found). */
export class IpptoolError extends Error {
  override readonly name = 'IpptoolError';
}

export class Ipptool {
  readonly #dir: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #files = new Map<string, string>();

  constructor(dir: string, env: NodeJS.ProcessEnv) {
    this.#dir = dir;
    this.#env = env;
  }

  #fileFor(request: IpptoolRequest): string {
    const text = ipptoolTestFile(request);
    let file = this.#files.get(text);
    if (file === undefined) {
      mkdirSync(this.#dir, { recursive: true });
      file = join(this.#dir, `request-${this.#files.size}.test`);
      writeFileSync(file, text);
      this.#files.set(text, file);
    }
    return file;
  }

  /** Sends the request to uri and returns the requested group (empty when nothing matched). */
  async query(uri: string, request: IpptoolRequest, timeoutMs = 10_000): Promise<IppGroup> {
    const file = this.#fileFor(request);
    const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
    const result = await runTool('ipptool', ['-j', '-T', seconds, uri, file], {
      env: this.#env,
      timeoutMs: timeoutMs + 1000,
    });
    let groups: unknown;
    try {
      groups = JSON.parse(result.stdout.slice(0, result.stdout.lastIndexOf(']') + 1));
    } catch {
      groups = undefined;
    }
    if (!Array.isArray(groups)) {
      throw new Error(
        `ipptool ${request.operation} ${uri} gave no JSON (exit ${String(result.code)}):\n${result.stderr}${result.stdout}`.trimEnd(),
      );
    }
    const list = groups as readonly IppGroup[];
    if (result.code !== 0) {
      const message = list.find((g) => typeof g['status-message'] === 'string')?.['status-message'];
      throw new IpptoolError(
        `${request.operation} ${uri} failed: ${typeof message === 'string' ? message : result.stderr.trim()}`,
      );
    }
    return list.find((g) => g['group-tag'] === request.group) ?? {};
  }
}

/** Keywords such as printer-state-reasons as a list, whether ipptool gave one value or many. */
export function keywords(value: unknown): readonly string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
