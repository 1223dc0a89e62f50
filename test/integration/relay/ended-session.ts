/**
 * One ended session of a device, spoken in raw frames: help asked, an agent joined, chat
 * granted, the client said `text` (returned with its message id), then the client ended it and
 * the relay stored both the end and the chat.
 */
import type { DeviceCredentials } from '../../../src-main/session/types.ts';
import { transcriptNotice } from '../../../src-relay/server/compose.ts';
import { DEFAULT_RELAY_RETENTION } from '../../../src-relay/store/config.ts';
import { RawClientSocket, until } from './harness.ts';
import type { Bed } from './harness.ts';

/** The notice a relay with the default retention shows (and a client echoes). */
export const DEFAULT_NOTICE = transcriptNotice(
  DEFAULT_RELAY_RETENTION.chatTranscriptDays,
  DEFAULT_RELAY_RETENTION.consentReceiptDays,
);

export async function endedSession(
  bed: Bed,
  credentials: DeviceCredentials,
  text: string,
): Promise<{ sessionId: string; messageId: string }> {
  const client = await RawClientSocket.open(bed.url, credentials);
  client.control({ type: 'hello', payload: {} });
  await client.next('welcome');
  client.send({ type: 'help.request', payload: { description: 'Tray 2 jams' } });
  const queued = await client.next('help.queued');
  const agent = await bed.agent();
  await agent.join({ code: queued.payload.code });
  const request = await client.next('consent.request');
  client.send({
    type: 'consent.answer',
    payload: {
      requestId: request.payload.requestId,
      granted: ['chat'],
      noticeShown: DEFAULT_NOTICE.text,
    },
  });
  await agent.next('consent.state');
  client.send({ type: 'chat.send', payload: { text } });
  const chat = await agent.next('chat.message', (m) => m.payload.from === 'client');
  const sessionId = queued.payload.sessionId;
  client.send({ type: 'session.end', payload: {} });
  await agent.next('session.ended');
  await until(
    () =>
      bed.store.getSession(sessionId)?.state === 'ended' &&
      bed.store.listChat(sessionId).length > 0,
    'the session ended and its chat stored',
  );
  await client.close();
  await agent.close();
  return { sessionId, messageId: chat.payload.messageId };
}
