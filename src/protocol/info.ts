/** What `/info` told us about the server. */
export interface ServerInfo {
  websocket?: boolean;
  cookie_needed?: boolean;
  origins?: string[];
  entropy?: number;
  transports?: string[];
  base_url?: string;
}

/** The body of an `/info` answer, or null when it is not a JSON object (a captive portal, an HTML 200). */
export function parseInfo(body: string): ServerInfo | null {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as ServerInfo) : null;
  } catch {
    return null;
  }
}
