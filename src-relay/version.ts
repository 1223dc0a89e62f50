import packageJson from '../package.json' with { type: 'json' };

/** Printo Relay's version: the repository's, from package.json (the one place it is set). */
export const RELAY_VERSION: string = packageJson.version;
