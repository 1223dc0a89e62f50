/** Recorded tool output and in-memory sources for the policy tests. */
import { readFileSync } from 'node:fs';
import type { CommandResult, CommandRunner } from '../../../src-main/policy/command-runner.ts';
import type { PolicyReadResult, PolicySource } from '../../../src-main/policy/source.ts';
import type { PolicySourceKind } from '../../../src-shared/model/policy.ts';

export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../fixtures/policy/${name}`, import.meta.url));
}

export function output(
  stdout: Buffer | string,
  exitCode = 0,
  stderr: Buffer | string = '',
): CommandResult {
  return {
    stdout: typeof stdout === 'string' ? Buffer.from(stdout) : stdout,
    stderr: typeof stderr === 'string' ? Buffer.from(stderr) : stderr,
    exitCode,
  };
}

/** Answers by one argument (the registry key or the plist path); records every call. */
export function recordedRunner(
  answers: Readonly<Record<string, CommandResult | Error>>,
  pick: (args: readonly string[]) => string,
): CommandRunner & { calls: { file: string; args: readonly string[] }[] } {
  const calls: { file: string; args: readonly string[] }[] = [];
  const run = (file: string, args: readonly string[]) => {
    calls.push({ file, args });
    const answer = answers[pick(args)];
    if (answer === undefined)
      return Promise.reject(new Error(`no recorded output for ${pick(args)}`));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return Object.assign(run, { calls });
}

/** A source whose next read the test sets. */
export class StaticSource implements PolicySource {
  next: PolicyReadResult | Error;
  readonly kind: PolicySourceKind;
  readonly scope: 'machine' | 'user';
  readonly location: string;
  constructor(kind: PolicySourceKind, values: Record<string, unknown>, scope?: 'machine' | 'user') {
    this.kind = kind;
    this.scope = scope ?? (kind === 'user-policy' || kind === 'user' ? 'user' : 'machine');
    this.location = `test:${kind}`;
    this.next = { values, rejected: [] };
  }
  read(): Promise<PolicyReadResult> {
    return this.next instanceof Error ? Promise.reject(this.next) : Promise.resolve(this.next);
  }
}

export class RecordingLogger {
  readonly events: { event: string; fields: Record<string, unknown> }[] = [];
  warn(event: string, fields: Record<string, string | number | boolean | null> = {}): void {
    this.events.push({ event, fields });
  }
}
