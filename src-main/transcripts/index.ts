export { noticeDigest, openTranscriptStore } from './store.ts';
export type { TranscriptRetention, TranscriptStore, TranscriptStoreOptions } from './store.ts';
