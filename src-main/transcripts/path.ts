import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Where the client keeps its data: the user's data folder of this OS. */
export function defaultTranscriptsPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  const file = 'transcripts.sqlite';
  if (platform === 'win32') {
    return join(env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'PrintoHelp', file);
  }
  if (platform === 'darwin')
    return join(home, 'Library', 'Application Support', 'Printo Help', file);
  const data = env['XDG_DATA_HOME'];
  return join(
    data !== undefined && isAbsolute(data) ? data : join(home, '.local', 'share'),
    'printo-help',
    file,
  );
}
