import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyFileSource } from '../../../src-main/policy/linux-policy-file.ts';
import { isPrintoError } from '../../../src-shared/errors.ts';

const uid = process.getuid?.() ?? 0;
const isRoot = uid === 0;
let root: string;
let folder: string;
let file: string;

function source(): PolicyFileSource {
  return new PolicyFileSource({ path: file, trustedOwners: [uid] });
}

function writePolicy(text: string, mode = 0o644): void {
  writeFileSync(file, text);
  chmodSync(file, mode);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'printo-policy-'));
  folder = path.join(root, 'printo-help');
  mkdirSync(folder);
  chmodSync(folder, 0o755);
  file = path.join(folder, 'policy.json');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const refused = (fragment: string) => (e: unknown) =>
  isPrintoError(e, 'policy-untrusted') && e.message.includes(fragment);

describe('PolicyFileSource', () => {
  it('reads a trusted file as it is, unknown keys and all (they are rejected above the port)', async () => {
    writePolicy(
      '{"relayUrl": "https://relay.corp.example", "supportEnabled": false, "colour": "blue"}',
    );
    expect(await source().read()).toEqual({
      values: { relayUrl: 'https://relay.corp.example', supportEnabled: false, colour: 'blue' },
      rejected: [],
    });
  });

  it('takes no file, or no folder, as nothing configured', async () => {
    expect(await source().read()).toEqual({ values: {}, rejected: [] });
    rmSync(folder, { recursive: true });
    expect(await source().read()).toEqual({ values: {}, rejected: [] });
  });

  it('refuses a world-writable file', async () => {
    writePolicy('{"supportEnabled": false}', 0o666);
    await expect(source().read()).rejects.toSatisfy(
      refused('writable by group and others (mode 666)'),
    );
  });

  it('refuses a group-writable file', async () => {
    writePolicy('{"supportEnabled": false}', 0o664);
    await expect(source().read()).rejects.toSatisfy(refused('writable by its group'));
  });

  it('refuses a folder others can write to (they could swap the file)', async () => {
    writePolicy('{}');
    chmodSync(folder, 0o777);
    await expect(source().read()).rejects.toSatisfy(refused(`its folder ${folder} is writable`));
  });

  it('does not follow a symbolic link, even to a trusted file', async () => {
    const real = path.join(folder, 'real.json');
    writeFileSync(real, '{"supportEnabled": false}');
    chmodSync(real, 0o644);
    symlinkSync(real, file);
    await expect(source().read()).rejects.toSatisfy(refused('symbolic link'));
  });

  it('refuses what is not a regular file, without blocking on a FIFO', async () => {
    execFileSync('mkfifo', [file]);
    chmodSync(file, 0o644);
    await expect(source().read()).rejects.toSatisfy(refused('not a regular file'));
  });

  it.runIf(isRoot)('refuses a file not owned by root', async () => {
    writePolicy('{"supportEnabled": false}');
    chownSync(file, 65534, 65534); // nobody
    await expect(new PolicyFileSource({ path: file }).read()).rejects.toSatisfy(
      refused('owned by uid 65534, not by root'),
    );
  });

  it.runIf(isRoot)('reads a root-owned file with the default owner rule', async () => {
    writePolicy('{"startAtLogin": true}');
    expect((await new PolicyFileSource({ path: file }).read()).values).toEqual({
      startAtLogin: true,
    });
  });

  it('fails on malformed JSON and on JSON that is not an object', async () => {
    writePolicy('{"relayUrl": "https://relay.corp.example",}');
    await expect(source().read()).rejects.toSatisfy((e) => isPrintoError(e, 'policy-malformed'));
    writePolicy('["relayUrl"]');
    await expect(source().read()).rejects.toSatisfy(
      (e) => isPrintoError(e, 'policy-malformed') && e.message.includes('one JSON object'),
    );
  });
});
