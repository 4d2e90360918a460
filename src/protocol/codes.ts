/** Close codes that resock reports, named. 3000–4999 are the application's own. */
export const CloseCode = {
  Normal: 1000,
  /** `/info` failed (network error or timeout), or the server spoke something we cannot read. */
  CannotConnect: 1002,
  /** The link broke, the server lost the session, or a transport failed after open. */
  Lost: 1006,
  /** The server is going down for a restart or a redeploy (a node drained): come back at once, elsewhere. */
  ServiceRestart: 1012,
  /** Every candidate transport failed before open. */
  AllTransportsFailed: 2000,
  /** A transport did not open in time. */
  TransportTimeout: 2007,
  /** The server already has a receiving request for this session. */
  AnotherConnectionOpen: 2010,
} as const;

/** What ends a transport, a session or a connection. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** True when the peer said goodbye with a close frame, false when the link simply broke. */
  wasClean: boolean;
}

export const closeInfo = (code: number, reason: string, wasClean = false): CloseInfo => ({ code, reason, wasClean });

/** 1000 or 3000–4999: the codes an application may close with, and that end a connection for good. */
export const isUserCloseCode = (code: number) => code === CloseCode.Normal || (code >= 3000 && code <= 4999);
