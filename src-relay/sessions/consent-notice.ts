import { createHash } from 'node:crypto';

/**
 * The digest a consent receipt records beside the notice's text: `sha256:` and the hex SHA-256
 * of the text's UTF-8 bytes (docs/protocol.md §5), so that a receipt still proves which notice
 * was shown once the text itself is erased, and anyone can recompute it from a copy of the text.
 */
export function noticeDigest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
