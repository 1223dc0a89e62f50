import path from 'node:path';

import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The project's own eslint.config.js, applied to virtual files at the paths of each layer. Type
// information is switched off: those files belong to no tsconfig, and `local/layers` needs none.
const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfig: tseslint.configs.disableTypeChecked as ESLint.Options['overrideConfig'],
});

/** What `local/layers` says about `code` at `file`: one `messageId: subject` per report. */
async function layerReports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  if (result === undefined) throw new Error(`ESLint returned nothing for ${file}`);
  const fatal = result.messages.filter((m) => m.fatal === true);
  expect(fatal, `${file} must parse`).toEqual([]);
  return result.messages
    .filter((m) => m.ruleId === 'local/layers')
    .map((m) => `${m.messageId ?? '?'}: ${/'([^']+)'/.exec(m.message)?.[1] ?? ''}`);
}

describe('import layers (eslint.config.js, local/layers)', () => {
  it.each([
    {
      // The hole that started this: src-main/app escaped every rule.
      file: 'src-main/app/x.ts',
      code: `import { RelayHub } from '../../src-relay/sessions/hub.ts';
export { RelayHub };
await import('../preload/index.ts');`,
      reports: ['notAllowed: src-relay/sessions/hub.ts', 'notAllowed: src-main/preload/index.ts'],
    },
    {
      file: 'src-main/preload/index.ts',
      code: `import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createClientServices } from '../services/client-services.ts';
export { readFileSync, z, createClientServices };`,
      reports: [
        'notAllowed: node:fs',
        'notAllowed: zod',
        'notAllowed: src-main/services/client-services.ts',
      ],
    },
    {
      file: 'src-main/cli/x.ts',
      code: `import { app } from 'electron';
import type { Hub } from '../../src-relay/sessions/hub.ts';
export * from '../../src-relay/store/store.ts';
export { startApp } from '../app/main.ts';
const name = 'electron';
const m1 = await import('electron');
const m2 = await import(\`../../src-relay/cli/printo-relay.ts\`);
const m3 = await import(name);
const m4 = require('electron');
export type { Hub };
export { app, m1, m2, m3, m4 };`,
      reports: [
        'notAllowed: electron',
        'notAllowed: src-relay/sessions/hub.ts',
        'notAllowed: src-relay/store/store.ts',
        'notAllowed: src-main/app/main.ts',
        'notAllowed: electron',
        'notAllowed: src-relay/cli/printo-relay.ts',
        'notLiteral: ',
        'notAllowed: electron',
      ],
    },
    {
      file: 'src-shared/y.ts',
      code: `/// <reference types="node" />
import 'node:fs';
import path from 'path';
import { app } from 'electron';
import leftPad from 'left-pad';
import type { PrinterSystem } from '../src-main/printers/printer-system.ts';
export type Relay = typeof import('../src-relay/server/relay-server.ts');
export { path, app, leftPad };
export type { PrinterSystem };`,
      reports: [
        'notAllowed: @types/node',
        'notAllowed: node:fs',
        'notAllowed: node:path',
        'notAllowed: electron',
        'notAllowed: left-pad',
        'notAllowed: src-main/printers/printer-system.ts',
        'notAllowed: src-relay/server/relay-server.ts',
      ],
    },
    {
      file: 'src-renderer/client/z.tsx',
      code: `import { ipcRenderer } from 'electron';
import path from 'node:path';
import { Hub } from '../../src-relay/sessions/hub.ts';
import { formatPrinters } from '../../src-main/cli/format.ts';
const ws = await import('ws');
export const Z = () => <p>{String([ipcRenderer, path, Hub, formatPrinters, ws])}</p>;`,
      reports: [
        'notAllowed: electron',
        'notAllowed: node:path',
        'notAllowed: src-relay/sessions/hub.ts',
        'notAllowed: src-main/cli/format.ts',
        'notAllowed: ws',
      ],
    },
    {
      file: 'src-relay/server/x.ts',
      code: `import { BrowserWindow } from 'electron';
import { runDiagnostics } from '../../src-main/diagnostics/runner.ts';
export * from '../../src-renderer/api/client.ts';
import table from 'cli-table3';
export { BrowserWindow, runDiagnostics, table };`,
      reports: [
        'notAllowed: electron',
        'notAllowed: src-main/diagnostics/runner.ts',
        'notAllowed: src-renderer/api/client.ts',
        'notAllowed: cli-table3',
      ],
    },
    {
      // The OS keyring belongs to the desktop client's main process (src-main/secrets).
      file: 'src-relay/store/keys.ts',
      code: `import { AsyncEntry } from '@napi-rs/keyring';
export { AsyncEntry };`,
      reports: ['notAllowed: @napi-rs/keyring'],
    },
    {
      // A new top-level folder is a decision: it must be given a layer.
      file: 'src-worker/x.ts',
      code: `export const x = 1;`,
      reports: ['noLayer: src-worker/x.ts'],
    },
  ])('reports what $file may not import', async ({ file, code, reports }) => {
    expect(await layerReports(file, code)).toEqual(reports);
  });

  it.each([
    {
      file: 'src-shared/y.ts',
      code: `import { z } from 'zod';
import type { Printer } from './model/printer.ts';
export type { Printer };
export const schema = z.string();`,
    },
    {
      file: 'src-renderer/client/z.tsx',
      code: `import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Button } from 'react-aria-components';
import { PrinterSchema } from '../../src-shared/model/printer.ts';
import { PrinterTable } from '../ui/printer-table.tsx';
import { api } from '../api/client.ts';
export const Z = () => <Button>{String([useState, createRoot, PrinterSchema, PrinterTable, api])}</Button>;`,
    },
    {
      file: 'src-main/preload/index.ts',
      code: `import { contextBridge, ipcRenderer } from 'electron';
import { ChannelSchemas } from '../../src-shared/api/channels.ts';
contextBridge.exposeInMainWorld('printoHelp', { ipcRenderer, ChannelSchemas });`,
    },
    {
      file: 'src-main/app/main.ts',
      code: `import { app, BrowserWindow } from 'electron';
import path from 'node:path';
import { createClientServices } from '../services/client-services.ts';
import { APP_VERSION } from '../version.ts';
import { PolicySchema } from '../../src-shared/model/policy.ts';
export { app, BrowserWindow, path, createClientServices, APP_VERSION, PolicySchema };`,
    },
    {
      file: 'src-main/cli/x.ts',
      code: `import { Command } from 'commander';
import pc from 'picocolors';
import { readFile } from 'node:fs/promises';
import packageJson from '../../package.json' with { type: 'json' };
export * from '../printers/ipp/codec.ts';
const { WebSocket } = await import('ws');
export { Command, pc, readFile, packageJson, WebSocket };`,
    },
    {
      file: 'src-main/secrets/x.ts',
      code: `import { AsyncEntry } from '@napi-rs/keyring';
export { AsyncEntry };`,
    },
    {
      file: 'src-relay/store/x.ts',
      code: `import { DatabaseSync } from 'node:sqlite';
import { WebSocketServer } from 'ws';
import { Envelope } from '../../src-shared/protocol/envelope.ts';
export { DatabaseSync, WebSocketServer, Envelope };`,
    },
    {
      // Tests may import anything, even by a computed name.
      file: 'test/unit/x.test.ts',
      code: `import { app } from 'electron';
import { Hub } from '../../src-relay/sessions/hub.ts';
import { main } from '../../src-main/cli/printo-help.ts';
const name = '../../src-main/app/main.ts';
const m = await import(name);
export { app, Hub, main, m };`,
    },
  ])('accepts what $file may import', async ({ file, code }) => {
    expect(await layerReports(file, code)).toEqual([]);
  });
});
