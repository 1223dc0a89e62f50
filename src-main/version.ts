import packageJson from '../package.json' with { type: 'json' };

/** The app's version, from package.json (the one place it is set). */
export const APP_VERSION: string = packageJson.version;
