/**
 * The relay's copy of this computer's sessions, as ClientServices reaches it: the device rights
 * endpoints of docs/protocol.md, called with the device credentials. The composition root passes
 * the HTTP client (src-main/session) that implements this port.
 */
import type {
  DeviceSessionListResponse,
  ErasureResponse,
  RectificationRequest,
  RectificationResponse,
  SessionExportResponse,
  SessionRightResponse,
} from '../../src-shared/protocol/http.ts';

export interface RelayCopy {
  list(): Promise<DeviceSessionListResponse>;
  export(sessionId: string): Promise<SessionExportResponse>;
  erase(sessionId: string): Promise<ErasureResponse>;
  right(sessionId: string, right: 'restriction' | 'objection'): Promise<SessionRightResponse>;
  correct(sessionId: string, correction: RectificationRequest): Promise<RectificationResponse>;
}
